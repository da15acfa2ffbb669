/*
 * L1 native reference (../shared/reference/benchmarks.md): a periodic loop sleeping to absolute deadlines
 * with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME); per period it records the wake-up lateness.
 * Overrun policy matches RlRobotics' ControlLoop: a wake-up a whole period late skips the missed periods.
 *
 * usage: l1_loop <rate_hz> <duration_s> <fifo_priority|0> <timer_slack_ns|0> <lock_memory 0|1>
 * prints one JSON line: {"p50_us":..,"p99_us":..,"p999_us":..,"max_us":..,"overruns":..,"periods":..,"granted":"..."}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#define BUCKETS 100000 /* 1 µs buckets up to 100 ms */

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long percentile(const long *h, long count, long max_us, double q) {
    long rank = (long)(q * count + 0.999999), seen = 0;
    if (rank < 1) rank = 1;
    for (long i = 0; i < BUCKETS; i++) { seen += h[i]; if (seen >= rank) return i; }
    return max_us;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s rate_hz duration_s fifo_priority timer_slack_ns lock_memory\n", argv[0]); return 2; }
    double rate = atof(argv[1]), duration = atof(argv[2]);
    int fifo = atoi(argv[3]), lock = atoi(argv[5]);
    long slack = atol(argv[4]);
    char granted[256] = "";
    if (lock) strcat(granted, mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? "mlockall " : "mlockall-refused ");
    if (slack > 0) strcat(granted, prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0) == 0 ? "slack " : "slack-refused ");
    if (fifo > 0) {
        struct sched_param p = { .sched_priority = fifo };
        strcat(granted, sched_setscheduler(0, SCHED_FIFO, &p) == 0 ? "fifo " : "fifo-refused ");
    }
    long *hist = calloc(BUCKETS, sizeof(long));
    int64_t period = (int64_t)(1e9 / rate + 0.5);
    int64_t start = now_ns(), end = start + (int64_t)(duration * 1e9), next = start + period;
    long count = 0, overruns = 0, max_us = 0;
    while (next < end) {
        struct timespec ts = { .tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
        int64_t late = now_ns() - next;
        long us = late > 0 ? (long)(late / 1000) : 0;
        if (us < BUCKETS) hist[us]++;
        if (us > max_us) max_us = us;
        count++;
        if (late >= period) { overruns++; next += (late / period) * period; }
        next += period;
    }
    printf("{\"p50_us\":%ld,\"p99_us\":%ld,\"p999_us\":%ld,\"max_us\":%ld,\"overruns\":%ld,\"periods\":%ld,\"granted\":\"%s\"}\n",
           percentile(hist, count, max_us, 0.5), percentile(hist, count, max_us, 0.99), percentile(hist, count, max_us, 0.999),
           max_us, overruns, count, granted);
    free(hist);
    return 0;
}
