/*
 * Time and descriptors (base/clock.h).
 */
#include <limits.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

long long atmos_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void atmos_nap_ms(long ms)
{
    struct timespec nap = {0, ms * 1000 * 1000};
    nanosleep(&nap, NULL);
}

int atmos_ms_left(long long deadline)
{
    long long left = deadline - atmos_now_ms();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

void atmos_close_from(int low)
{
    if (syscall(SYS_close_range, (unsigned)low, ~0U, 0) != 0)
        for (int fd = low; fd < 65536; fd++)
            close(fd);
}
