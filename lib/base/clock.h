/*
 * Time and descriptors, libc only, so that the PAM module links this file
 * alone (as it does escape.c) and the engine and the module keep one clock,
 * one deadline rule and one way to close what a child must not inherit.
 */
#ifndef ATMOS_BASE_CLOCK_H
#define ATMOS_BASE_CLOCK_H

/*
 * Milliseconds on CLOCK_MONOTONIC: the one clock for deadlines and waits
 * (never the wall clock, which an administrator or NTP may step).
 */
long long atmos_now_ms(void);
/* Sleep about ms milliseconds (under a second); a signal may cut it short. */
void atmos_nap_ms(long ms);
/* What is left of `deadline` (atmos_now_ms's clock) for poll(): 0 once it passed. */
int atmos_ms_left(long long deadline);
/* Close every descriptor from `low` up: close_range(2), else one by one.  Async-signal-safe. */
void atmos_close_from(int low);

#endif
