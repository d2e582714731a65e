// Demo data shaped like the spec's sample data (ids made valid uuids: the spec's samples contain letters g–j).
// Secrets are encrypted with the panel's key ring; demo users get random passwords, printed once by the caller.
import { randomBytes } from 'node:crypto';

import bcrypt from 'bcryptjs';

import { encryptSecret, type KeyRing } from '@/lib/crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { asSystem } from './context';

export const DEMO_IDS = {
  john: '550e8400-e29b-41d4-a716-446655440000',
  jane: '550e8400-e29b-41d4-a716-446655440010',
  team: '770fa600-a49d-41d4-a716-446655440002',
  saasProject: '660f9500-f39c-41d4-a716-446655440001',
  toolsProject: '660f9500-f39c-41d4-a716-446655440011',
  siteProject: '660f9500-f39c-41d4-a716-446655440021',
  apiService: '880fa700-b59e-41d4-a716-446655440003',
  webFrontend: '880fa700-b59e-41d4-a716-446655440013',
  worker: '880fa700-b59e-41d4-a716-446655440023',
  docs: '880fa700-b59e-41d4-a716-446655440033',
  postgres: '990fb800-c69f-41d4-a716-446655440004',
  deployment: 'aa0fc900-d79f-41d4-a716-446655440005',
  domain: 'bb0fd000-e89f-41d4-a716-446655440006',
} as const;

export type SeedResult = { created: boolean; passwords: Record<string, string> };

const BCRYPT_COST = 12;

/** `password` (e.g. for end-to-end tests) replaces the random demo passwords; there is no built-in one. */
export async function seedDemoData(
  prisma: PrismaClient,
  ring: KeyRing,
  { password }: { password?: string } = {},
): Promise<SeedResult> {
  const existing = await asSystem(prisma, (tx) => tx.project.findUnique({ where: { id: DEMO_IDS.saasProject } }));
  if (existing) return { created: false, passwords: {} };

  const pick = () => password ?? randomBytes(12).toString('base64url');
  const passwords = { john_doe: pick(), jane_admin: pick() };
  const [johnHash, janeHash] = await Promise.all([
    bcrypt.hash(passwords.john_doe, BCRYPT_COST),
    bcrypt.hash(passwords.jane_admin, BCRYPT_COST),
  ]);
  const secret = (value: string, aad: string) => encryptSecret(ring, value, aad);
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

  await asSystem(prisma, async (tx) => {
    await tx.user.createMany({
      data: [
        {
          id: DEMO_IDS.john,
          username: 'john_doe',
          email: 'john@example.com',
          passwordHash: johnHash,
          role: 'developer',
          preferences: { theme: 'dark', notifications: { email: true, browser: false } },
        },
        { id: DEMO_IDS.jane, username: 'jane_admin', email: 'jane@example.com', passwordHash: janeHash, role: 'admin' },
      ],
    });
    await tx.team.create({
      data: {
        id: DEMO_IDS.team,
        name: 'platform-team',
        description: 'Runs the customer-facing platform',
        members: {
          create: [
            { userId: DEMO_IDS.john, role: 'owner' },
            { userId: DEMO_IDS.jane, role: 'member' },
          ],
        },
      },
    });
    await tx.project.createMany({
      data: [
        {
          id: DEMO_IDS.saasProject,
          name: 'my-saas-app',
          description: 'Production SaaS application',
          ownerId: DEMO_IDS.john,
          teamId: DEMO_IDS.team,
          metadata: { environment: 'production', tags: ['critical', 'customer-facing'], cost_center: 'engineering' },
        },
        {
          id: DEMO_IDS.toolsProject,
          name: 'internal-tools',
          description: 'Dashboards and admin tools for staff',
          ownerId: DEMO_IDS.jane,
          metadata: { environment: 'staging', tags: ['internal'] },
        },
        {
          id: DEMO_IDS.siteProject,
          name: 'marketing-site',
          description: 'Public website',
          ownerId: DEMO_IDS.john,
          metadata: { environment: 'production', tags: ['customer-facing'] },
        },
      ],
    });
    await tx.application.createMany({
      data: [
        {
          id: DEMO_IDS.apiService,
          projectId: DEMO_IDS.saasProject,
          name: 'api-service',
          type: 'git',
          status: 'running',
          sourceType: 'github',
          sourceConfig: {
            repository: 'mycompany/api-service',
            branch: 'main',
            build_context: '.',
            dockerfile: 'Dockerfile',
          },
          dockerConfig: {
            ports: [{ target: 8080, published: 8080, protocol: 'tcp', mode: 'ingress' }],
            networks: ['slipway-my-saas-app'],
            healthcheck: {
              test: ['CMD', 'wget', '-q', '-O-', 'http://localhost:8080/health'],
              interval: '30s',
              timeout: '5s',
              retries: 3,
            },
            resources: { limits: { memory: '512M', cpus: '0.5' }, reservations: { memory: '256M' } },
          },
          envVars: { NODE_ENV: 'production', PORT: '8080', API_VERSION: 'v1' },
          replicas: 3,
        },
        {
          id: DEMO_IDS.webFrontend,
          projectId: DEMO_IDS.saasProject,
          name: 'web-frontend',
          type: 'docker',
          status: 'running',
          sourceType: 'docker',
          sourceConfig: { image: 'nginx:1.27-alpine' },
          replicas: 2,
        },
        {
          id: DEMO_IDS.worker,
          projectId: DEMO_IDS.saasProject,
          name: 'queue-worker',
          type: 'git',
          status: 'failed',
          sourceType: 'github',
          sourceConfig: { repository: 'mycompany/queue-worker', branch: 'main' },
        },
        {
          id: DEMO_IDS.docs,
          projectId: DEMO_IDS.toolsProject,
          name: 'docs',
          type: 'docker',
          status: 'stopped',
          sourceType: 'docker',
          sourceConfig: { image: 'ghcr.io/mycompany/docs:latest' },
          replicas: 0,
        },
      ],
    });
    await tx.gitSource.create({
      data: {
        applicationId: DEMO_IDS.apiService,
        provider: 'github',
        repository: 'mycompany/api-service',
        branch: 'main',
        commitSha: 'abc123def456',
        webhookConfig: {
          secret: secret(randomBytes(24).toString('hex'), 'git_sources.webhook_config.secret'),
          auto_deploy: true,
          watched_branch: 'main',
        },
      },
    });
    await tx.envVar.createMany({
      data: [
        { applicationId: DEMO_IDS.apiService, key: 'NODE_ENV', value: 'production' },
        { applicationId: DEMO_IDS.apiService, key: 'LOG_LEVEL', value: 'info' },
        {
          applicationId: DEMO_IDS.apiService,
          key: 'STRIPE_API_KEY',
          value: secret(`sk_demo_${randomBytes(12).toString('hex')}`, 'env_vars.value'),
          isSecret: true,
        },
      ],
    });
    await tx.database.create({
      data: {
        id: DEMO_IDS.postgres,
        projectId: DEMO_IDS.saasProject,
        name: 'app-postgres',
        type: 'postgresql',
        status: 'running',
        version: '16.1',
        config: {
          max_connections: 100,
          shared_buffers: '256MB',
          work_mem: '4MB',
          persistent: true,
          volume_size: '10GB',
        },
        connectionString: secret(
          `postgresql://slipway:${randomBytes(16).toString('hex')}@app-postgres:5432/app_db`,
          'databases.connection_string',
        ),
      },
    });
    await tx.volume.createMany({
      data: [
        {
          name: 'api-uploads',
          type: 'docker_volume',
          mountPath: '/data/uploads',
          sizeGb: 5,
          applicationId: DEMO_IDS.apiService,
        },
        {
          name: 'app-postgres-data',
          type: 'docker_volume',
          mountPath: '/var/lib/postgresql/data',
          sizeGb: 10,
          databaseId: DEMO_IDS.postgres,
        },
      ],
    });
    await tx.deployment.create({
      data: {
        id: DEMO_IDS.deployment,
        applicationId: DEMO_IDS.apiService,
        triggeredBy: DEMO_IDS.john,
        status: 'success',
        commitSha: 'abc123def456',
        logs: 'Building image...\nPushing to registry...\nUpdating service...\nDeployment complete.',
        metadata: { duration_seconds: 125, image_size_mb: 450, build_cache_hit: true },
        startedAt: daysAgo(1),
        completedAt: new Date(daysAgo(1).getTime() + 125_000),
        logLines: {
          create: ['Building image...', 'Pushing to registry...', 'Updating service...', 'Deployment complete.'].map(
            (message, i) => ({ message, level: 'info', createdAt: new Date(daysAgo(1).getTime() + i * 30_000) }),
          ),
        },
      },
    });
    await tx.domain.create({
      data: {
        id: DEMO_IDS.domain,
        projectId: DEMO_IDS.saasProject,
        domain: 'api.example.com',
        targetType: 'application',
        targetId: DEMO_IDS.apiService,
        tlsEnabled: true,
        certificates: {
          create: {
            issuer: "Let's Encrypt",
            certificate: '-----BEGIN CERTIFICATE-----\n(demo certificate)\n-----END CERTIFICATE-----\n',
            privateKey: secret(
              '-----BEGIN PRIVATE KEY-----\n(demo key)\n-----END PRIVATE KEY-----\n',
              'certificates.private_key',
            ),
            expiresAt: new Date(Date.now() + 60 * 86_400_000),
          },
        },
      },
    });
    await tx.backup.create({
      data: {
        databaseId: DEMO_IDS.postgres,
        type: 'full',
        status: 'success',
        storagePath: 'backups/app-postgres/full-demo.sql.gz',
        sizeBytes: BigInt(52_428_800),
        createdAt: daysAgo(1),
        completedAt: new Date(daysAgo(1).getTime() + 40_000),
      },
    });
    await tx.auditLog.create({
      data: {
        userId: DEMO_IDS.john,
        action: 'application.deploy',
        resourceType: 'application',
        resourceId: DEMO_IDS.apiService,
        details: { commit_sha: 'abc123def456', deployment_id: DEMO_IDS.deployment, replicas: 3 },
        ipAddress: '192.168.1.100',
        userAgent: 'Mozilla/5.0 (demo)',
      },
    });
  });
  // As the system: the view's query sees only the applications the refreshing transaction may see.
  await asSystem(prisma, (tx) => tx.$executeRaw`REFRESH MATERIALIZED VIEW CONCURRENTLY application_stats`);
  return { created: true, passwords };
}
