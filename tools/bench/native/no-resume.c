/*
 * LD_PRELOAD shim for h2load: no TLS session resumption.
 *
 * h2load keeps one SSL object per client and, after a `Connection: close`, reconnects with it;
 * the session it still holds makes the next handshake an abbreviated (resumed) one. The
 * benchmark counts full handshakes, so before each connection starts this drops the held
 * session, then calls OpenSSL's own SSL_set_connect_state.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;
int SSL_set_session(SSL *ssl, SSL_SESSION *session);

void SSL_set_connect_state(SSL *ssl) {
  static void (*real)(SSL *) = NULL;
  if (real == NULL) real = (void (*)(SSL *))dlsym(RTLD_NEXT, "SSL_set_connect_state");
  SSL_set_session(ssl, NULL);
  real(ssl);
}
