/*
 * tap.h: the smallest Test Anything Protocol emitter that serves our unit
 * tests. Each test program calls plan() (or done_testing() at the end),
 * makes assertions, and returns exit_status() from main so that prove sees
 * both the TAP stream and a non-zero exit on failure.
 */
#ifndef GW_TAP_H
#define GW_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned;

static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
}

static inline int tap_ok(int cond, const char *file, int line, const char *name)
{
    tap_run++;
    if (!cond) {
        tap_failed++;
    }
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_run, name);
    if (!cond) {
        printf("#   Failed test '%s'\n#   at %s line %d.\n", name, file, line);
    }
    fflush(stdout);
    return cond;
}

static inline int tap_is(const char *got, const char *want, const char *file,
                         int line, const char *name)
{
    int cond = (got == NULL && want == NULL)
               || (got && want && strcmp(got, want) == 0);

    tap_ok(cond, file, line, name);
    if (!cond) {
        printf("#          got: %s%s%s\n#     expected: %s%s%s\n",
               got ? "'" : "", got ? got : "NULL", got ? "'" : "",
               want ? "'" : "", want ? want : "NULL", want ? "'" : "");
    }
    return cond;
}

static inline int tap_is_int(long long got, long long want, const char *file,
                             int line, const char *name)
{
    int cond = got == want;

    tap_ok(cond, file, line, name);
    if (!cond) {
        printf("#          got: %lld\n#     expected: %lld\n", got, want);
    }
    return cond;
}

static inline void diag(const char *msg)
{
    printf("# %s\n", msg);
}

static inline void done_testing(void)
{
    if (!tap_planned) {
        printf("1..%d\n", tap_run);
    }
}

static inline int exit_status(void)
{
    done_testing();
    if (tap_planned && tap_planned != tap_run) {
        printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
        return 255;
    }
    return tap_failed ? 1 : 0;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))
#define is(got, want, name) tap_is((got), (want), __FILE__, __LINE__, (name))
#define is_int(got, want, name) \
    tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, (name))

#endif
