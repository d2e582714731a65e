// What the viewer may do on the Source and Webhook tabs' git panels (decided by the page with can()).
export type Permissions = { canUpdate: boolean; canReveal: boolean; canDeploy: boolean };
