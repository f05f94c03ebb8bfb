/*
 * intercept.h: the pass-through side of the I/O layer (intercept.c).
 *
 * lstk__pt_X behaves as libc's X (it calls it), with one difference that
 * keeps "behaves as libc" true: on a socket that the runtime switched to
 * O_NONBLOCK behind the user's back, EAGAIN is not the user's business, so
 * the call waits in poll(2) (blocking its OS thread, as libc's would) and
 * tries again; a write goes on until everything is written.  The _timeout
 * forms (TIMEOUT_NS >= 0) wait in poll(2) first.  They run on main, on
 * foreign OS threads, and on linkstack threads when interception is off.
 */
#ifndef LSTK_INTERCEPT_H
#define LSTK_INTERCEPT_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "stack/stack.h"

LSTK__HIDDEN ssize_t lstk__pt_read(int fd, void *buf, size_t len,
                                   int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_pread(int fd, void *buf, size_t len, off_t off);
LSTK__HIDDEN ssize_t lstk__pt_readv(int fd, const struct iovec *iov, int n,
                                    int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_recvfrom(int fd, void *buf, size_t len, int flags,
                                       struct sockaddr *addr, socklen_t *alen,
                                       int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_recvmsg(int fd, struct msghdr *msg, int flags);
LSTK__HIDDEN ssize_t lstk__pt_write(int fd, const void *buf, size_t len,
                                    int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_pwrite(int fd, const void *buf, size_t len,
                                     off_t off);
LSTK__HIDDEN ssize_t lstk__pt_writev(int fd, const struct iovec *iov, int n,
                                     int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_sendto(int fd, const void *buf, size_t len,
                                     int flags, const struct sockaddr *addr,
                                     socklen_t alen, int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_sendmsg(int fd, const struct msghdr *msg,
                                      int flags);
LSTK__HIDDEN int lstk__pt_accept4(int fd, struct sockaddr *addr,
                                  socklen_t *alen, int flags,
                                  int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_connect(int fd, const struct sockaddr *addr,
                                  socklen_t alen, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
LSTK__HIDDEN ssize_t lstk__pt_sendfile(int out, int in, off_t *off,
                                       size_t count, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_fd_wait(int fd, short events, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_nanosleep(uint64_t ns, uint64_t *remain_ns);

#endif /* LSTK_INTERCEPT_H */
