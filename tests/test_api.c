/* test_api.c - the library interface that does not depend on struct
 * sizes (engine/api.c) and tcpfsm_engine_new()'s failure reports. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcpfsm.h"

static void version(void **state)
{
    (void)state;
    assert_string_equal(tcpfsm_version(), TCPFSM_VERSION);
}

static void engine_new_reports_bad_config(void **state)
{
    (void)state;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.linger_seconds = -1;
    errno = 0;
    assert_null(tcpfsm_engine_new(&cfg));
    assert_int_equal(errno, EINVAL);
    cfg.linger_seconds = NAN;
    errno = 0;
    assert_null(tcpfsm_engine_new(&cfg));
    assert_int_equal(errno, EINVAL);
    tcpfsm_config_init(&cfg);
    cfg.lang = TCPFSM_LANG_MAX;
    errno = 0;
    assert_null(tcpfsm_engine_new(&cfg));
    assert_int_equal(errno, EINVAL);
    tcpfsm_config_init(&cfg);
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    assert_non_null(e);
    tcpfsm_engine_free(e);
}

static void field_lookup(void **state)
{
    (void)state;
    assert_int_equal(tcpfsm_label_field_count(), TCPFSM_LF_COUNT);
    assert_int_equal(tcpfsm_summary_field_count(), TCPFSM_SF_COUNT);
    assert_int_equal(tcpfsm_label_field_find("event"), TCPFSM_LF_EVENT);
    assert_int_equal(tcpfsm_label_field_find("label"), TCPFSM_LF_LABEL);
    assert_int_equal(tcpfsm_summary_field_find("history"), TCPFSM_SF_HISTORY);
    assert_int_equal(tcpfsm_label_field_find("no-such-field"), -1);
    assert_int_equal(tcpfsm_summary_field_find(""), -1);
}

static int summaries;
static char close_seen[32];
static void on_summary(const tcpfsm_summary *s, void *user)
{
    char buf[64];
    (void)user;
    summaries++;
    snprintf(close_seen, sizeof close_seen, "%s",
             tcpfsm_summary_field_str(s, tcpfsm_summary_field_find("close"),
                                      buf, sizeof buf));
}

/* a refused connection (SYN, RST-ACK) through setters and accessors only */
static void setters_and_accessors(void **state)
{
    (void)state;
    tcpfsm_config *cfg = tcpfsm_config_new();
    assert_non_null(cfg);
    tcpfsm_config_set_summary_fn(cfg, on_summary, NULL);
    tcpfsm_config_set_lang(cfg, TCPFSM_LANG_EN);
    tcpfsm_engine *e = tcpfsm_engine_new(cfg);
    tcpfsm_config_free(cfg);
    assert_non_null(e);
    tcpfsm_segment *seg = tcpfsm_segment_new();
    tcpfsm_label *l = tcpfsm_label_new();
    assert_non_null(seg);
    assert_non_null(l);
    char buf[TCPFSM_LABEL_MAX];
    int ev = tcpfsm_label_field_find("event");
    int step = tcpfsm_label_field_find("step");
    int close = tcpfsm_label_field_find("close");

    assert_false(tcpfsm_segment_set_endpoints(seg, "10.0.0.1", 1, "::1", 2));
    assert_false(tcpfsm_segment_set_endpoints(seg, "nonsense", 1, "10.0.0.2", 2));
    tcpfsm_segment_set_frame(seg, 1);
    tcpfsm_segment_set_time(seg, 100.0);
    tcpfsm_segment_set_stream(seg, 0);
    assert_true(tcpfsm_segment_set_endpoints(seg, "10.0.0.1", 40000, "10.0.0.2", 80));
    tcpfsm_segment_set_tcp(seg, TCPFSM_SYN, 1000, 0, 0);
    tcpfsm_segment_set_window(seg, 65535);
    assert_int_equal(tcpfsm_engine_feed(e, seg, l), 0);
    assert_string_equal(tcpfsm_label_field_str(l, ev, buf, sizeof buf), "syn");
    assert_string_equal(tcpfsm_label_field_str(l, step, buf, sizeof buf), "1/3");

    tcpfsm_segment_init(seg);
    tcpfsm_segment_set_frame(seg, 2);
    tcpfsm_segment_set_time(seg, 100.001);
    tcpfsm_segment_set_stream(seg, 0);
    assert_true(tcpfsm_segment_set_endpoints(seg, "10.0.0.2", 80, "10.0.0.1", 40000));
    tcpfsm_segment_set_tcp(seg, TCPFSM_RST | TCPFSM_ACK, 0, 1001, 0);
    assert_int_equal(tcpfsm_engine_feed(e, seg, l), 0);
    assert_string_equal(tcpfsm_label_field_str(l, ev, buf, sizeof buf), "rst");
    assert_string_equal(tcpfsm_label_field_str(l, step, buf, sizeof buf), "");
    assert_string_equal(tcpfsm_label_field_str(l, close, buf, sizeof buf), "refused");

    tcpfsm_engine_finish(e);
    assert_int_equal(summaries, 1);
    assert_string_equal(close_seen, "refused");
    tcpfsm_label_free(l);
    tcpfsm_segment_free(seg);
    tcpfsm_engine_free(e);
    tcpfsm_label_free(NULL);
    tcpfsm_segment_free(NULL);
    tcpfsm_config_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version),
        cmocka_unit_test(engine_new_reports_bad_config),
        cmocka_unit_test(field_lookup),
        cmocka_unit_test(setters_and_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
