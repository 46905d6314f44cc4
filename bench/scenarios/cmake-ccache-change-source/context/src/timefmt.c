#include "logstat/timefmt.h"

#include <stdio.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (era-based civil calendar arithmetic). */
static int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int64_t *month, int64_t *day) {
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_index = (5 * day_of_year + 2) / 153;
    *day = day_of_year - (153 * month_index + 2) / 5 + 1;
    *month = month_index < 10 ? month_index + 3 : month_index - 9;
    *year = year_of_era + era * 400 + (*month <= 2);
}

static int read_digits(const char *text, int count, int64_t *value) {
    int64_t result = 0;
    for (int index = 0; index < count; index++) {
        if (text[index] < '0' || text[index] > '9') {
            return -1;
        }
        result = result * 10 + (text[index] - '0');
    }
    *value = result;
    return 0;
}

int parse_iso8601(const char *text, size_t length, int64_t *epoch_seconds) {
    int64_t year, month, day, hour, minute, second;
    if (length != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text[19] != 'Z') {
        return -1;
    }
    if (read_digits(text, 4, &year) || read_digits(text + 5, 2, &month) || read_digits(text + 8, 2, &day) ||
        read_digits(text + 11, 2, &hour) || read_digits(text + 14, 2, &minute) ||
        read_digits(text + 17, 2, &second)) {
        return -1;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return -1;
    }
    *epoch_seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return 0;
}

void format_iso8601(int64_t epoch_seconds, char output[32]) {
    int64_t days = epoch_seconds >= 0 ? epoch_seconds / 86400 : (epoch_seconds - 86399) / 86400;
    int64_t seconds_of_day = epoch_seconds - days * 86400;
    int64_t year, month, day;
    civil_from_days(days, &year, &month, &day);
    snprintf(output, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, (int)month, (int)day,
             (int)(seconds_of_day / 3600), (int)(seconds_of_day / 60 % 60), (int)(seconds_of_day % 60));
}
