#ifndef FILTERS_H
#define FILTERS_H

/* One tap of a stage: a constant coefficient from the stage's seed, times the gain. */
#define FILTER_TAP(t, seed) ((double)(((seed) + (t)) % 11 + 1) * gain * x[i + (t)])
#define FILTER_TAPS8(b, seed) \
    (FILTER_TAP((b) + 0, seed) + FILTER_TAP((b) + 1, seed) + FILTER_TAP((b) + 2, seed) + FILTER_TAP((b) + 3, seed) + FILTER_TAP((b) + 4, seed) + FILTER_TAP((b) + 5, seed) + FILTER_TAP((b) + 6, seed) + FILTER_TAP((b) + 7, seed))
#define FILTER_TAPS(seed) (FILTER_TAPS8(0, seed) + FILTER_TAPS8(8, seed) + FILTER_TAPS8(16, seed) + FILTER_TAPS8(24, seed) + FILTER_TAPS8(32, seed) + FILTER_TAPS8(40, seed))

/* A stage: a 48-tap filter over x, damped when it grows large. */
#define FILTER_STAGE(name, seed) \
    static double name(const double *x, int n, double gain) \
    { \
        double acc = 0.0; \
        for (int i = 0; i + 48 < n; i++) { \
            acc += FILTER_TAPS(seed); \
            if (acc > 1e9) { \
                acc *= 0.5; \
            } \
        } \
        return acc; \
    }

double filter_00(const double *x, int n);
double filter_01(const double *x, int n);
double filter_02(const double *x, int n);
double filter_03(const double *x, int n);
double filter_04(const double *x, int n);
double filter_05(const double *x, int n);
double filter_06(const double *x, int n);
double filter_07(const double *x, int n);
double filter_08(const double *x, int n);
double filter_09(const double *x, int n);
double filter_10(const double *x, int n);
double filter_11(const double *x, int n);
double filter_12(const double *x, int n);
double filter_13(const double *x, int n);
double filter_14(const double *x, int n);
double filter_15(const double *x, int n);

#endif
