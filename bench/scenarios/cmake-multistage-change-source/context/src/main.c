#include <stdio.h>

#include "filters.h"

#define N 4096

int main(void)
{
    static double signal[N];
    for (int i = 0; i < N; i++) {
        signal[i] = (double)((i * 37) % 101) / 101.0;
    }
    double total = 0.0;
    total += filter_00(signal, N);
    total += filter_01(signal, N);
    total += filter_02(signal, N);
    total += filter_03(signal, N);
    total += filter_04(signal, N);
    total += filter_05(signal, N);
    total += filter_06(signal, N);
    total += filter_07(signal, N);
    total += filter_08(signal, N);
    total += filter_09(signal, N);
    total += filter_10(signal, N);
    total += filter_11(signal, N);
    total += filter_12(signal, N);
    total += filter_13(signal, N);
    total += filter_14(signal, N);
    total += filter_15(signal, N);
    printf("%.6e\n", total);
    return 0;
}
