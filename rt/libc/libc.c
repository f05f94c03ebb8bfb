/*
 * libc/libc.c: finds the C library's own functions behind the libc names
 * that liblinkstack defines (io/intercept.c), and gives raw system calls
 * in their place until they are found (libc/libc.h says why).
 *
 * The first step of the start-up sequence (LSTK__START_LIBC): nothing
 * below it, and every layer above may call through lstk__libc.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "libc/libc.h"

/* Raw stand-ins: the same kernel call, in libc's convention. */
#define RAW1(name, ret, t1, nr)                                              \
    static ret raw_##name(t1 a)                                              \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, 0, 0));               \
    }
#define RAW2(name, ret, t1, t2, nr)                                          \
    static ret raw_##name(t1 a, t2 b)                                        \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, (long)b, 0));         \
    }
#define RAW3(name, ret, t1, t2, t3, nr)                                      \
    static ret raw_##name(t1 a, t2 b, t3 c)                                  \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, (long)b, (long)c));   \
    }
#define RAW4(name, ret, t1, t2, t3, t4, nr)                                  \
    static ret raw_##name(t1 a, t2 b, t3 c, t4 d)                            \
    {                                                                        \
        return (ret)lstk__sc_ret(                                            \
            lstk__sc6(nr, (long)a, (long)b, (long)c, (long)d, 0, 0));        \
    }
#define RAW6(name, ret, t1, t2, t3, t4, t5, t6, nr)                          \
    static ret raw_##name(t1 a, t2 b, t3 c, t4 d, t5 e, t6 f)                \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc6(nr, (long)a, (long)b, (long)c,    \
                                           (long)d, (long)e, (long)f));      \
    }

RAW3(read, ssize_t, int, void *, size_t, SYS_read)
RAW3(write, ssize_t, int, const void *, size_t, SYS_write)
RAW3(readv, ssize_t, int, const struct iovec *, int, SYS_readv)
RAW3(writev, ssize_t, int, const struct iovec *, int, SYS_writev)
RAW4(pread, ssize_t, int, void *, size_t, off_t, SYS_pread64)
RAW4(pwrite, ssize_t, int, const void *, size_t, off_t, SYS_pwrite64)
RAW6(recvfrom, ssize_t, int, void *, size_t, int, struct sockaddr *,
     socklen_t *, SYS_recvfrom)
RAW6(sendto, ssize_t, int, const void *, size_t, int, const struct sockaddr *,
     socklen_t, SYS_sendto)
RAW3(recvmsg, ssize_t, int, struct msghdr *, int, SYS_recvmsg)
RAW3(sendmsg, ssize_t, int, const struct msghdr *, int, SYS_sendmsg)
RAW4(accept4, int, int, struct sockaddr *, socklen_t *, int, SYS_accept4)
RAW3(connect, int, int, const struct sockaddr *, socklen_t, SYS_connect)
RAW3(poll, int, struct pollfd *, nfds_t, int, SYS_poll)
RAW4(sendfile, ssize_t, int, int, off_t *, size_t, SYS_sendfile)
RAW2(nanosleep, int, const struct timespec *, struct timespec *, SYS_nanosleep)
RAW1(close, int, int, SYS_close)
RAW1(dup, int, int, SYS_dup)
RAW2(dup2, int, int, int, SYS_dup2)
RAW3(dup3, int, int, int, int, SYS_dup3)
RAW3(socket, int, int, int, int, SYS_socket)
RAW2(pipe2, int, int *, int, SYS_pipe2)

RAW4(socketpair, int, int, int, int, int *, SYS_socketpair)
RAW2(eventfd, int, unsigned int, int, SYS_eventfd2)
RAW1(epoll_create1, int, int, SYS_epoll_create1)
RAW2(timerfd_create, int, int, int, SYS_timerfd_create)
RAW2(memfd_create, int, const char *, unsigned int, SYS_memfd_create)
RAW1(inotify_init1, int, int, SYS_inotify_init1)
RAW3(close_range, int, unsigned int, unsigned int, int, SYS_close_range)

static int raw_signalfd(int fd, const sigset_t *mask, int flags)
{
    return (int)lstk__sc_ret(
        lstk__sc6(SYS_signalfd4, fd, (long)mask, _NSIG / 8, flags, 0, 0));
}

static int raw_openat(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    long mode = va_arg(ap, long);
    va_end(ap);
    return (int)lstk__sc_ret(lstk__sc6(SYS_openat, dfd, (long)path, flags, mode, 0, 0));
}

static int raw_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    long mode = va_arg(ap, long);
    va_end(ap);
    return raw_openat(AT_FDCWD, path, flags, mode);
}

static int raw_pipe(int fds[2])
{
    return raw_pipe2(fds, 0);
}

static int raw_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    return (int)lstk__sc_ret(lstk__sc(SYS_fcntl, fd, cmd, arg));
}

static int raw_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    long arg = va_arg(ap, long);
    va_end(ap);
    return (int)lstk__sc_ret(lstk__sc(SYS_ioctl, fd, (long)req, arg));
}

/* Libc's internal names of fclose and closedir in a static libc.a (weak:
   absent from libc.so, where dlsym finds the public ones). */
extern int _IO_new_fclose(FILE *) __attribute__((weak));
extern int __closedir(DIR *) __attribute__((weak));

/* A stdio or dirent call with no libc function found behind it: the
   program cannot go on correctly (this layer has no lstk__fatal). */
static void __attribute__((noreturn)) no_libc(const char *name)
{
    static const char a[] = "linkstack: libc's ", b[] = " cannot be found (a program "
        "linked with a static libc that does not link it): the runtime's wrapper "
        "has nothing to call\n";
    size_t n = 0;
    while (name[n])
        n++;
    lstk__sc(SYS_write, 2, (long)a, sizeof a - 1);
    lstk__sc(SYS_write, 2, (long)name, (long)n);
    lstk__sc(SYS_write, 2, (long)b, sizeof b - 1);
    abort();
}

static int raw_fclose(FILE *f)
{
    if (_IO_new_fclose == NULL)
        no_libc("fclose");
    return _IO_new_fclose(f);
}

static int raw_closedir(DIR *d)
{
    if (__closedir == NULL)
        no_libc("closedir");
    return __closedir(d);
}

static FILE *raw_freopen(const char *path, const char *mode, FILE *f)
{
    (void)path, (void)mode, (void)f;
    no_libc("freopen");
}

struct lstk__libc lstk__libc = {
    raw_read, raw_write, raw_readv, raw_writev, raw_pread, raw_pwrite,
    raw_recvfrom, raw_sendto, raw_recvmsg, raw_sendmsg, raw_accept4,
    raw_connect, raw_poll, raw_sendfile, raw_nanosleep, raw_close,
    raw_fcntl, raw_fcntl, raw_ioctl, raw_dup, raw_dup2, raw_dup3,
    raw_socket, raw_pipe, raw_pipe2,
    raw_socketpair, raw_open, raw_openat, raw_eventfd, raw_epoll_create1,
    raw_timerfd_create, raw_signalfd, raw_memfd_create, raw_inotify_init1,
    raw_close_range, raw_fclose, raw_closedir, raw_freopen, clock_gettime,
};

#define RESOLVE(f)                                                           \
    do {                                                                     \
        void *p_ = dlsym(RTLD_NEXT, #f);                                     \
        if (p_ != NULL)                                                      \
            __atomic_store_n((void **)&lstk__libc.f, p_, __ATOMIC_RELAXED);  \
    } while (0)

/* Start-up, first step: on main's stack, before main (dlsym needs
   kilobytes of stack). */
__attribute__((constructor(LSTK__START_LIBC))) static void lstk__libc_start(void)
{
    RESOLVE(read);
    RESOLVE(write);
    RESOLVE(clock_gettime); /* [issue 12] */
    RESOLVE(readv);
    RESOLVE(writev);
    RESOLVE(pread);
    RESOLVE(pwrite);
    RESOLVE(recvfrom);
    RESOLVE(sendto);
    RESOLVE(recvmsg);
    RESOLVE(sendmsg);
    RESOLVE(accept4);
    RESOLVE(connect);
    RESOLVE(poll);
    RESOLVE(sendfile);
    RESOLVE(nanosleep);
    RESOLVE(close);
    RESOLVE(fcntl);
    RESOLVE(fcntl64);
    RESOLVE(ioctl);
    RESOLVE(dup);
    RESOLVE(dup2);
    RESOLVE(dup3);
    RESOLVE(socket);
    RESOLVE(pipe);
    RESOLVE(pipe2);
    RESOLVE(socketpair);
    RESOLVE(open);
    RESOLVE(openat);
    RESOLVE(eventfd);
    RESOLVE(epoll_create1);
    RESOLVE(timerfd_create);
    RESOLVE(signalfd);
    RESOLVE(memfd_create);
    RESOLVE(inotify_init1);
    RESOLVE(close_range);
    RESOLVE(fclose);
    RESOLVE(closedir);
    RESOLVE(freopen);
}
