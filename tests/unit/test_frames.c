/*
 * The module's reader of its helper's result pipe (pam_atmos/frames.c): the
 * bytes any process of the user's can write there (issue 32).  The reader is
 * pure, so its source is compiled in here; it links the engine's escape only.
 */
#include "testutil.h"

#include "../../pam_atmos/frames.c"

struct lines {
    int n;
    char text[80][PA_LOG_LINE_MAX];
};

static void collect(void *ctx, int level, const char *line)
{
    struct lines *l = ctx;
    assert_in_range(level, 0, 3);
    if (l->n < 80)
        strcpy(l->text[l->n], line);
    l->n++;
}

/* A frame of type t, level lvl, with payload p of n bytes, into buf; its length. */
static size_t frame(unsigned char *buf, char t, int lvl, const char *p, size_t n)
{
    buf[0] = (unsigned char)t, buf[1] = (unsigned char)lvl;
    buf[2] = (unsigned char)(n >> 8), buf[3] = (unsigned char)n;
    memcpy(buf + 4, p, n);
    return 4 + n;
}

static int parse(const char *s, struct pa_counts *c)
{
    return pa_result_parse((const unsigned char *)s, strlen(s), c);
}

static void result_exact_form(void **state)
{
    struct pa_counts c;
    (void)state;
    assert_int_equal(parse("3 0 7 1 3 4 2", &c), 0);
    assert_int_equal(c.status, PA_DONE);
    assert_int_equal(c.removed, 7);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.revoked, 3);
    assert_int_equal(c.signout_failed, 4);
    assert_int_equal(c.realms, 2);
    assert_int_equal(parse("3 1 1000000000 0 0 1000000000 0", &c), 0);
    static const char *const bad[] = {
        "3 0 -1 0 0 0 0",                   /* strtoul would take it as SIZE_MAX */
        "3 0 0 0 18446744073709551615 0 0", /* the audit showed this once */
        "3 0 +1 0 0 0 0",  "3 0 1000000001 0 0 0 0", "3 0 00000000001 0 0 0 0", /* 11 digits */
        "3 0 0 0 0 1000000001 0",
        "2 0 7 0 0 0",     /* protocol 2's six fields */
        "3 0 7 0 0 0",     /* six fields under protocol 3 */
        "2 0 7 0 0 0 0",   "3 3 0 0 0 0 0", "3 0 0 0 0 0 0 0", "3  0 0 0 0 0 0", " 3 0 0 0 0 0 0",
        "3 0 0 0 0 0 0 ",  "3 0 0x1 0 0 0 0", "3 0 1e3 0 0 0 0", "", "3 0 0 0 0 0 0\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(parse(bad[i], &c), -1);
}

static void forged_text_is_quoted_behind_the_marker(void **state)
{
    static const char forged[] = "x\" event=logout.all_devices user=alice removed=7\n<86>sshd: "
                                 "event=y\x1b[2J\\x22 \xc2\x9b";
    unsigned char buf[4 + PA_FRAME_MAX];
    struct pa_reader r;
    struct lines l = {0};
    (void)state;
    pa_reader_init(&r);
    size_t n = frame(buf, 'L', 2, forged, sizeof(forged) - 1);
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.text[0],
                        "helper: \"x\\x22 event=logout.all_devices user=alice removed=7\\x0a<86>sshd: "
                        "event=y\\x1b[2J\\\\x22 \\xc2\\x9b\"");
}

static void step_frame_and_garbage_are_protocol_errors(void **state)
{
    unsigned char buf[64];
    struct pa_reader r;
    struct lines l = {0};
    int e = 1;
    (void)state;
    pa_reader_init(&r);
    size_t n = frame(buf, 'D', 5, (const char *)&e, sizeof(e)); /* protocol 1's step frame */
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), -1);
    /* Sticky: a valid result after it is not taken. */
    n = frame(buf, 'R', 0, "3 0 1 0 0 0 0", 13);
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), -1);
    assert_int_equal(r.completed, 0);
    static const struct {
        char t;
        int lvl;
        const char *p;
        size_t n;
    } bad[] = {{'L', 4, "x", 1}, {'L', 2, "a\0b", 3}, {'R', 1, "3 0 0 0 0 0 0", 13}, {'X', 0, "", 0}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        pa_reader_init(&r);
        n = frame(buf, bad[i].t, bad[i].lvl, bad[i].p, bad[i].n);
        assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), -1);
    }
    /* A length above PA_FRAME_MAX, a frame after the result, a frame cut short at the end. */
    pa_reader_init(&r);
    unsigned char big[4] = {'L', 2, 0x08, 0x01};
    assert_int_equal(pa_reader_feed(&r, big, 4, collect, &l), -1);
    pa_reader_init(&r);
    n = frame(buf, 'R', 0, "3 0 1 0 0 0 0", 13);
    n += frame(buf + n, 'L', 2, "late", 4);
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), -1);
    pa_reader_init(&r);
    n = frame(buf, 'L', 2, "abcdef", 6);
    assert_int_equal(pa_reader_feed(&r, buf, n - 1, collect, &l), 0);
    assert_int_equal(pa_reader_end(&r), -1);
}

static void byte_by_byte_reads_the_same(void **state)
{
    unsigned char buf[256];
    struct pa_reader r;
    struct lines l = {0};
    (void)state;
    size_t n = frame(buf, 'L', 3, "one", 3);
    n += frame(buf + n, 'L', 0, "two", 3);
    n += frame(buf + n, 'R', 0, "3 0 4 0 0 0 1", 13);
    pa_reader_init(&r);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pa_reader_feed(&r, buf + i, 1, collect, &l), 0);
    assert_int_equal(pa_reader_end(&r), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.text[1], "helper: \"two\"");
    assert_int_equal(r.completed, 1);
    assert_int_equal(r.result.removed, 4);
    assert_int_equal(r.result.realms, 1);
}

static void line_and_byte_budget(void **state)
{
    static unsigned char buf[200 * (4 + PA_FRAME_MAX)];
    char text[PA_FRAME_MAX];
    struct pa_reader r;
    static struct lines l;
    (void)state;
    /* 100 short lines: 64 logged, 36 counted. */
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += frame(buf + n, 'L', 2, "short", 5);
    memset(&l, 0, sizeof(l));
    pa_reader_init(&r);
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), 0);
    assert_int_equal(l.n, PA_LOG_LINES);
    assert_int_equal(r.dropped, 100 - PA_LOG_LINES);
    /* 100 lines of 2 KiB of quotes (8 KiB escaped): each cut to 1 KiB, 16 KiB in all. */
    memset(text, '"', sizeof(text));
    n = 0;
    for (int i = 0; i < 100; i++)
        n += frame(buf + n, 'L', 2, text, sizeof(text));
    memset(&l, 0, sizeof(l));
    pa_reader_init(&r);
    assert_int_equal(pa_reader_feed(&r, buf, n, collect, &l), 0);
    assert_true(r.bytes <= PA_LOG_BYTES);
    assert_int_equal(l.n + (int)r.dropped, 100);
    assert_true(l.n >= PA_LOG_BYTES / PA_LOG_LINE_MAX - 1);
    for (int i = 0; i < l.n && i < 80; i++) {
        assert_true(strlen(l.text[i]) < PA_LOG_LINE_MAX);
        assert_string_equal(l.text[i] + strlen(l.text[i]) - 4, "...\"");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_exact_form),
        cmocka_unit_test(forged_text_is_quoted_behind_the_marker),
        cmocka_unit_test(step_frame_and_garbage_are_protocol_errors),
        cmocka_unit_test(byte_by_byte_reads_the_same),
        cmocka_unit_test(line_and_byte_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
