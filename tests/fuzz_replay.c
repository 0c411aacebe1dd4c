/* fuzz_replay.c - runs a libFuzzer harness (linked in: fuzz/fuzz_pcap.c)
 * on saved inputs, without libFuzzer, so that the inputs a fuzzer once
 * crashed or hung on are replayed by the normal ctest (and under ASan and
 * UBSan in build-asan).
 *
 *   fuzz_replay FILE|DIR...
 *
 * Every regular file named (and every regular file directly in a DIR) is
 * read and given to LLVMFuzzerTestOneInput once.  A crash, a sanitizer
 * report or a failed check of the harness (abort) fails the test; each
 * input must also finish within 10 s (alarm), as -timeout=10 in fuzzing.
 * Exit status: 0 all done, 1 no input found / unreadable, 64 usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return -1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                fclose(fp);
                free(buf);
                return -1;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        if (n == 0)
            break;
        len += n;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        perror(path);
        free(buf);
        return -1;
    }
    alarm(10);
    LLVMFuzzerTestOneInput(buf, len);
    alarm(0);
    free(buf);
    printf("ok %s (%zu bytes)\n", path, len);
    fflush(stdout);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz_replay FILE|DIR...\n");
        return 64;
    }
    int done = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) == 0)
                done++;
            else
                failed++;
            continue;
        }
        /* a directory: its regular files, in name order */
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            failed++;
            continue;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char *path;
            if (asprintf(&path, "%s/%s", argv[i], de->d_name) < 0)
                abort();
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                names = realloc(names, (n + 1) * sizeof *names);
                if (!names)
                    abort();
                names[n++] = path;
            } else {
                free(path);
            }
        }
        closedir(d);
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t k = 0; k < n; k++) {
            if (run_file(names[k]) == 0)
                done++;
            else
                failed++;
            free(names[k]);
        }
        free(names);
    }
    printf("%d inputs replayed, %d unreadable\n", done, failed);
    return done > 0 && failed == 0 ? 0 : 1;
}
