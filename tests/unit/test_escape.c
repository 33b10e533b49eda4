/*
 * atmos_escape: what a user's bytes look like once they reach a log line, a
 * terminal or JSON output; atmos_escape_needed: whether they change at all.
 */
#include "testutil.h"

#include <atmos/escape.h>

static void expect_escaped(const char *in, const char *want)
{
    char out[256];
    size_t n = atmos_escape(out, sizeof(out), in);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    char *dup = atmos_escape_dup(in);
    assert_non_null(dup);
    assert_string_equal(dup, want);
    /* atmos_show's no-copy path: needed exactly when the escaped form differs. */
    assert_int_equal(atmos_escape_needed(in), strcmp(want, in ? in : "") != 0);
    free(dup);
}

static void plain_text_unchanged(void **state)
{
    (void)state;
    expect_escaped("dev-admin", "dev-admin");
    expect_escaped("", "");
    expect_escaped(NULL, "");
    expect_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
}

static void controls_escaped(void **state)
{
    (void)state;
    /* A forged syslog line and a terminal escape. */
    expect_escaped("x\nJan  1 host sshd: forged", "x\\x0aJan  1 host sshd: forged");
    expect_escaped("\x1b[2J\r\t\x7f", "\\x1b[2J\\x0d\\x09\\x7f");
    expect_escaped("back\\slash", "back\\\\slash");
    /* C1 controls: CSI (U+009B) and NEL (U+0085) as UTF-8. */
    expect_escaped("\xc2\x9b" "31m\xc2\x85", "\\xc2\\x9b31m\\xc2\\x85");
    expect_escaped("\xc2\xa0", "\xc2\xa0"); /* NBSP is printable */
}

static void bad_utf8_escaped(void **state)
{
    (void)state;
    expect_escaped("\xff", "\\xff");
    expect_escaped("\xc0\xaf", "\\xc0\\xaf");             /* overlong '/' */
    expect_escaped("\xe0\x80\xaf", "\\xe0\\x80\\xaf");     /* overlong */
    expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");     /* a surrogate */
    expect_escaped("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    expect_escaped("\xe2\x82", "\\xe2\\x82");             /* cut short at the end */
    expect_escaped("\xc3", "\\xc3");
}

static void cut_at_a_whole_escape(void **state)
{
    (void)state;
    char out[12];
    /* Fits exactly: no dots. */
    assert_int_equal(atmos_escape(out, sizeof(out), "abcdefghijk"), 11);
    assert_string_equal(out, "abcdefghijk");
    /* One more byte: cut, and the cut is shown. */
    atmos_escape(out, sizeof(out), "abcdefghijkl");
    assert_string_equal(out, "abcdefgh...");
    /* Never half an escape. */
    atmos_escape(out, sizeof(out), "abcdef\n\n\n");
    assert_string_equal(out, "abcdef...");
    atmos_escape(out, 3, "\n\n");
    assert_string_equal(out, "..");
    assert_int_equal(atmos_escape(out, 0, "x"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_unchanged),
        cmocka_unit_test(controls_escaped),
        cmocka_unit_test(bad_utf8_escaped),
        cmocka_unit_test(cut_at_a_whole_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
