// Loaded into Chromium (LD_PRELOAD) by the e2e runs: Chromium learns the host's addresses once, at start, and never
// hears of a change. On Linux it binds a netlink socket to the address and link groups, and about two seconds after
// any interface comes up (every container Docker starts adds one) it fails its queued and connecting requests with
// net::ERR_NETWORK_CHANGED, even to 127.0.0.1. Binding with no groups keeps the initial dump and drops the
// notifications; nothing else in the browser changes. See e2e/chromium.ts and e2e/network-changes.spec.ts.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static bind_fn real_bind;
  if (!real_bind) real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
  if (addr && addr->sa_family == AF_NETLINK && len >= sizeof(struct sockaddr_nl)) {
    struct sockaddr_nl quiet;
    memcpy(&quiet, addr, sizeof quiet);
    quiet.nl_groups = 0;
    return real_bind(fd, (const struct sockaddr *)&quiet, sizeof quiet);
  }
  return real_bind(fd, addr, len);
}
