#include "filters.h"

FILTER_STAGE(stage_0, 7)
FILTER_STAGE(stage_1, 10)
FILTER_STAGE(stage_2, 2)
FILTER_STAGE(stage_3, 5)
FILTER_STAGE(stage_4, 8)
FILTER_STAGE(stage_5, 0)
FILTER_STAGE(stage_6, 3)
FILTER_STAGE(stage_7, 6)
FILTER_STAGE(stage_8, 9)
FILTER_STAGE(stage_9, 1)
FILTER_STAGE(stage_10, 4)
FILTER_STAGE(stage_11, 7)
FILTER_STAGE(stage_12, 10)
FILTER_STAGE(stage_13, 2)
FILTER_STAGE(stage_14, 5)
FILTER_STAGE(stage_15, 8)
FILTER_STAGE(stage_16, 0)
FILTER_STAGE(stage_17, 3)
FILTER_STAGE(stage_18, 6)
FILTER_STAGE(stage_19, 9)
FILTER_STAGE(stage_20, 1)
FILTER_STAGE(stage_21, 4)
FILTER_STAGE(stage_22, 7)
FILTER_STAGE(stage_23, 10)
FILTER_STAGE(stage_24, 2)
FILTER_STAGE(stage_25, 5)
FILTER_STAGE(stage_26, 8)
FILTER_STAGE(stage_27, 0)
FILTER_STAGE(stage_28, 3)
FILTER_STAGE(stage_29, 6)
FILTER_STAGE(stage_30, 9)
FILTER_STAGE(stage_31, 1)
FILTER_STAGE(stage_32, 4)
FILTER_STAGE(stage_33, 7)
FILTER_STAGE(stage_34, 10)
FILTER_STAGE(stage_35, 2)
FILTER_STAGE(stage_36, 5)
FILTER_STAGE(stage_37, 8)
FILTER_STAGE(stage_38, 0)
FILTER_STAGE(stage_39, 3)
FILTER_STAGE(stage_40, 6)
FILTER_STAGE(stage_41, 9)
FILTER_STAGE(stage_42, 1)
FILTER_STAGE(stage_43, 4)
FILTER_STAGE(stage_44, 7)
FILTER_STAGE(stage_45, 10)
FILTER_STAGE(stage_46, 2)
FILTER_STAGE(stage_47, 5)
FILTER_STAGE(stage_48, 8)
FILTER_STAGE(stage_49, 0)
FILTER_STAGE(stage_50, 3)
FILTER_STAGE(stage_51, 6)
FILTER_STAGE(stage_52, 9)
FILTER_STAGE(stage_53, 1)
FILTER_STAGE(stage_54, 4)
FILTER_STAGE(stage_55, 7)
FILTER_STAGE(stage_56, 10)
FILTER_STAGE(stage_57, 2)
FILTER_STAGE(stage_58, 5)
FILTER_STAGE(stage_59, 8)
FILTER_STAGE(stage_60, 0)
FILTER_STAGE(stage_61, 3)
FILTER_STAGE(stage_62, 6)
FILTER_STAGE(stage_63, 9)
FILTER_STAGE(stage_64, 1)
FILTER_STAGE(stage_65, 4)
FILTER_STAGE(stage_66, 7)
FILTER_STAGE(stage_67, 10)
FILTER_STAGE(stage_68, 2)
FILTER_STAGE(stage_69, 5)
FILTER_STAGE(stage_70, 8)
FILTER_STAGE(stage_71, 0)
FILTER_STAGE(stage_72, 3)
FILTER_STAGE(stage_73, 6)
FILTER_STAGE(stage_74, 9)
FILTER_STAGE(stage_75, 1)
FILTER_STAGE(stage_76, 4)
FILTER_STAGE(stage_77, 7)
FILTER_STAGE(stage_78, 10)
FILTER_STAGE(stage_79, 2)
FILTER_STAGE(stage_80, 5)
FILTER_STAGE(stage_81, 8)
FILTER_STAGE(stage_82, 0)
FILTER_STAGE(stage_83, 3)
FILTER_STAGE(stage_84, 6)
FILTER_STAGE(stage_85, 9)
FILTER_STAGE(stage_86, 1)
FILTER_STAGE(stage_87, 4)
FILTER_STAGE(stage_88, 7)
FILTER_STAGE(stage_89, 10)
FILTER_STAGE(stage_90, 2)
FILTER_STAGE(stage_91, 5)
FILTER_STAGE(stage_92, 8)
FILTER_STAGE(stage_93, 0)
FILTER_STAGE(stage_94, 3)
FILTER_STAGE(stage_95, 6)
FILTER_STAGE(stage_96, 9)
FILTER_STAGE(stage_97, 1)
FILTER_STAGE(stage_98, 4)
FILTER_STAGE(stage_99, 7)
FILTER_STAGE(stage_100, 10)
FILTER_STAGE(stage_101, 2)
FILTER_STAGE(stage_102, 5)
FILTER_STAGE(stage_103, 8)
FILTER_STAGE(stage_104, 0)
FILTER_STAGE(stage_105, 3)
FILTER_STAGE(stage_106, 6)
FILTER_STAGE(stage_107, 9)
FILTER_STAGE(stage_108, 1)
FILTER_STAGE(stage_109, 4)
FILTER_STAGE(stage_110, 7)
FILTER_STAGE(stage_111, 10)
FILTER_STAGE(stage_112, 2)
FILTER_STAGE(stage_113, 5)
FILTER_STAGE(stage_114, 8)
FILTER_STAGE(stage_115, 0)
FILTER_STAGE(stage_116, 3)
FILTER_STAGE(stage_117, 6)
FILTER_STAGE(stage_118, 9)
FILTER_STAGE(stage_119, 1)

double filter_01(const double *x, int n)
{
    double total = 0.0;
    total += stage_0(x, n, 1.0 / 3.0);
    total += stage_1(x, n, 2.0 / 3.0);
    total += stage_2(x, n, 3.0 / 3.0);
    total += stage_3(x, n, 4.0 / 3.0);
    total += stage_4(x, n, 5.0 / 3.0);
    total += stage_5(x, n, 6.0 / 3.0);
    total += stage_6(x, n, 7.0 / 3.0);
    total += stage_7(x, n, 8.0 / 3.0);
    total += stage_8(x, n, 9.0 / 3.0);
    total += stage_9(x, n, 10.0 / 3.0);
    total += stage_10(x, n, 11.0 / 3.0);
    total += stage_11(x, n, 12.0 / 3.0);
    total += stage_12(x, n, 13.0 / 3.0);
    total += stage_13(x, n, 14.0 / 3.0);
    total += stage_14(x, n, 15.0 / 3.0);
    total += stage_15(x, n, 16.0 / 3.0);
    total += stage_16(x, n, 17.0 / 3.0);
    total += stage_17(x, n, 18.0 / 3.0);
    total += stage_18(x, n, 19.0 / 3.0);
    total += stage_19(x, n, 20.0 / 3.0);
    total += stage_20(x, n, 21.0 / 3.0);
    total += stage_21(x, n, 22.0 / 3.0);
    total += stage_22(x, n, 23.0 / 3.0);
    total += stage_23(x, n, 24.0 / 3.0);
    total += stage_24(x, n, 25.0 / 3.0);
    total += stage_25(x, n, 26.0 / 3.0);
    total += stage_26(x, n, 27.0 / 3.0);
    total += stage_27(x, n, 28.0 / 3.0);
    total += stage_28(x, n, 29.0 / 3.0);
    total += stage_29(x, n, 30.0 / 3.0);
    total += stage_30(x, n, 31.0 / 3.0);
    total += stage_31(x, n, 32.0 / 3.0);
    total += stage_32(x, n, 33.0 / 3.0);
    total += stage_33(x, n, 34.0 / 3.0);
    total += stage_34(x, n, 35.0 / 3.0);
    total += stage_35(x, n, 36.0 / 3.0);
    total += stage_36(x, n, 37.0 / 3.0);
    total += stage_37(x, n, 38.0 / 3.0);
    total += stage_38(x, n, 39.0 / 3.0);
    total += stage_39(x, n, 40.0 / 3.0);
    total += stage_40(x, n, 41.0 / 3.0);
    total += stage_41(x, n, 42.0 / 3.0);
    total += stage_42(x, n, 43.0 / 3.0);
    total += stage_43(x, n, 44.0 / 3.0);
    total += stage_44(x, n, 45.0 / 3.0);
    total += stage_45(x, n, 46.0 / 3.0);
    total += stage_46(x, n, 47.0 / 3.0);
    total += stage_47(x, n, 48.0 / 3.0);
    total += stage_48(x, n, 49.0 / 3.0);
    total += stage_49(x, n, 50.0 / 3.0);
    total += stage_50(x, n, 51.0 / 3.0);
    total += stage_51(x, n, 52.0 / 3.0);
    total += stage_52(x, n, 53.0 / 3.0);
    total += stage_53(x, n, 54.0 / 3.0);
    total += stage_54(x, n, 55.0 / 3.0);
    total += stage_55(x, n, 56.0 / 3.0);
    total += stage_56(x, n, 57.0 / 3.0);
    total += stage_57(x, n, 58.0 / 3.0);
    total += stage_58(x, n, 59.0 / 3.0);
    total += stage_59(x, n, 60.0 / 3.0);
    total += stage_60(x, n, 61.0 / 3.0);
    total += stage_61(x, n, 62.0 / 3.0);
    total += stage_62(x, n, 63.0 / 3.0);
    total += stage_63(x, n, 64.0 / 3.0);
    total += stage_64(x, n, 65.0 / 3.0);
    total += stage_65(x, n, 66.0 / 3.0);
    total += stage_66(x, n, 67.0 / 3.0);
    total += stage_67(x, n, 68.0 / 3.0);
    total += stage_68(x, n, 69.0 / 3.0);
    total += stage_69(x, n, 70.0 / 3.0);
    total += stage_70(x, n, 71.0 / 3.0);
    total += stage_71(x, n, 72.0 / 3.0);
    total += stage_72(x, n, 73.0 / 3.0);
    total += stage_73(x, n, 74.0 / 3.0);
    total += stage_74(x, n, 75.0 / 3.0);
    total += stage_75(x, n, 76.0 / 3.0);
    total += stage_76(x, n, 77.0 / 3.0);
    total += stage_77(x, n, 78.0 / 3.0);
    total += stage_78(x, n, 79.0 / 3.0);
    total += stage_79(x, n, 80.0 / 3.0);
    total += stage_80(x, n, 81.0 / 3.0);
    total += stage_81(x, n, 82.0 / 3.0);
    total += stage_82(x, n, 83.0 / 3.0);
    total += stage_83(x, n, 84.0 / 3.0);
    total += stage_84(x, n, 85.0 / 3.0);
    total += stage_85(x, n, 86.0 / 3.0);
    total += stage_86(x, n, 87.0 / 3.0);
    total += stage_87(x, n, 88.0 / 3.0);
    total += stage_88(x, n, 89.0 / 3.0);
    total += stage_89(x, n, 90.0 / 3.0);
    total += stage_90(x, n, 91.0 / 3.0);
    total += stage_91(x, n, 92.0 / 3.0);
    total += stage_92(x, n, 93.0 / 3.0);
    total += stage_93(x, n, 94.0 / 3.0);
    total += stage_94(x, n, 95.0 / 3.0);
    total += stage_95(x, n, 96.0 / 3.0);
    total += stage_96(x, n, 97.0 / 3.0);
    total += stage_97(x, n, 98.0 / 3.0);
    total += stage_98(x, n, 99.0 / 3.0);
    total += stage_99(x, n, 100.0 / 3.0);
    total += stage_100(x, n, 101.0 / 3.0);
    total += stage_101(x, n, 102.0 / 3.0);
    total += stage_102(x, n, 103.0 / 3.0);
    total += stage_103(x, n, 104.0 / 3.0);
    total += stage_104(x, n, 105.0 / 3.0);
    total += stage_105(x, n, 106.0 / 3.0);
    total += stage_106(x, n, 107.0 / 3.0);
    total += stage_107(x, n, 108.0 / 3.0);
    total += stage_108(x, n, 109.0 / 3.0);
    total += stage_109(x, n, 110.0 / 3.0);
    total += stage_110(x, n, 111.0 / 3.0);
    total += stage_111(x, n, 112.0 / 3.0);
    total += stage_112(x, n, 113.0 / 3.0);
    total += stage_113(x, n, 114.0 / 3.0);
    total += stage_114(x, n, 115.0 / 3.0);
    total += stage_115(x, n, 116.0 / 3.0);
    total += stage_116(x, n, 117.0 / 3.0);
    total += stage_117(x, n, 118.0 / 3.0);
    total += stage_118(x, n, 119.0 / 3.0);
    total += stage_119(x, n, 120.0 / 3.0);
    return total;
}
