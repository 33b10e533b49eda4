/*
 * The dotenv reader: what godotenv v1.5.1 (atmos's parser for `!include .env`)
 * makes of each input, and what we refuse.
 */
#include "testutil.h"

#include "formats/dotenv.h"
#include "base/strings.h"

struct kv {
    const char *name, *value;
    unsigned line;
};

/* Parse exactly len bytes from a buffer of that size, so a read past it is caught. */
static int parse(const char *in, size_t len, struct atmos_dotenv_var **v, size_t *n,
                 struct atmos_err *err)
{
    char *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memcpy(buf, in, len);
    int rc = atmos_dotenv_parse("t.env", buf, len, v, n, err);
    free(buf);
    return rc;
}

static void check_parse(const char *in, const struct kv *want, size_t nwant)
{
    struct atmos_dotenv_var *v;
    size_t n;
    struct atmos_err err = {{0}};
    int rc = parse(in, strlen(in), &v, &n, &err);
    if (rc != ATMOS_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].name, want[i].name);
        assert_string_equal(v[i].value, want[i].value);
        assert_int_equal(v[i].line, want[i].line);
    }
    atmos_dotenv_free(v, n);
}

#define CHECK(in, ...)                                                                             \
    do {                                                                                           \
        const struct kv want_[] = {__VA_ARGS__};                                                   \
        check_parse(in, want_, sizeof(want_) / sizeof(want_[0]));                                  \
    } while (0)

/* EINVAL, the message names t.env:<where>, and no byte of `secret` shows in it. */
static void refused(const char *in, size_t len, const char *where, const char *secret)
{
    struct atmos_dotenv_var *v = (void *)1;
    size_t n = 1;
    struct atmos_err err = {{0}};
    assert_int_equal(parse(in, len, &v, &n, &err), ATMOS_EINVAL);
    assert_null(v);
    assert_int_equal(n, 0);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "t.env:%s", where);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", err.msg, prefix);
    if (secret != NULL && strstr(err.msg, secret) != NULL)
        fail_msg("'%s' echoes the value", err.msg);
}

/* A string literal's bytes, NULs included. */
#define REFUSED(lit, where, secret) refused(lit, sizeof(lit) - 1, where, secret)

static void names_and_both_separators(void **state)
{
    (void)state;
    CHECK("ATMOS_CLI_CONFIG_PATH=/etc/atmos\nATMOS_BASE_PATH: /srv/infra\n",
          {"ATMOS_CLI_CONFIG_PATH", "/etc/atmos", 1}, {"ATMOS_BASE_PATH", "/srv/infra", 2});
    /* Dots and blanks inside a name are godotenv's; blanks before the separator are not. */
    CHECK("team.region = eu\nTWO WORDS=x\n_9 :y\n", {"team.region", "eu", 1}, {"TWO WORDS", "x", 2},
          {"_9", "y", 3});
    /* The first of '=' and ':' separates; the rest is value. */
    CHECK("URL=http://h:80/a=b\nK: v=w\n", {"URL", "http://h:80/a=b", 1}, {"K", "v=w", 2});
}

static void export_prefix_needs_a_blank(void **state)
{
    (void)state;
    CHECK("export ATMOS_PROFILE=ci\n\texport \t  SPACED=1\nexportNAME=2\nexport=3\nexport: 4\n",
          {"ATMOS_PROFILE", "ci", 1}, {"SPACED", "1", 2}, {"exportNAME", "2", 3},
          {"export", "4", 5});
}

static void blank_lines_and_comments(void **state)
{
    (void)state;
    CHECK("\n\n# COMMENTED=out\n    # indented too\n\nREAL=1\n\n# no newline at the end",
          {"REAL", "1", 6});
    check_parse("", NULL, 0);
    check_parse("# only\n  \n\t\n", NULL, 0);
    /* Unicode white space (an ideographic space) separates statements too. */
    CHECK("\xE3\x80\x80"
          "IDEO=1\n",
          {"IDEO", "1", 1});
}

static void unquoted_values(void **state)
{
    (void)state;
    CHECK("A =   padded value  \n"
          "B=x # a note\n"
          "C=x#no-blank-before\n"
          "D=one # two # three\n"
          "E=   # all value\n"
          "F=\n"
          "G=back\\slash\n"
          "H=at-eof",
          {"A", "padded value", 1}, {"B", "x", 2}, {"C", "x#no-blank-before", 3},
          {"D", "one # two", 4}, {"E", "# all value", 5}, {"F", "", 6}, {"G", "back\\slash", 7},
          {"H", "at-eof", 8});
    /* godotenv reads the line as runes: a byte that is not UTF-8 becomes U+FFFD. */
    CHECK("U=caf\xC3\xA9 \xFFz\n", {"U", "caf\xC3\xA9 \xEF\xBF\xBDz", 1});
}

static void single_quotes_are_literal(void **state)
{
    (void)state;
    CHECK("A='$HOME \\n # kept'\nB='it\\'s'\nC=''\nD= 'x' # after\n", {"A", "$HOME \\n # kept", 1},
          {"B", "it\\'s", 2}, {"C", "", 3}, {"D", "x", 4});
}

static void double_quotes_and_escapes(void **state)
{
    (void)state;
    /* \n and \r become characters; a backslash goes before anything but '$'. */
    CHECK("A=\"a\\nb\\rc\\\\d\\$e\\x # in\"\n", {"A", "a\nb\rc\\d$ex # in", 1});
    CHECK("E=\"\"\nQ=\"say \\\"hi\\\" now\"\nR=\"\xFF\"\n", {"E", "", 1},
          {"Q", "say \"hi\" now", 2}, {"R", "\xFF", 3});
    /* Quote characters at either end are trimmed, an escaped one included. */
    CHECK("T=\"tail\\\"\"\n", {"T", "tail\\", 1});
}

static void quoted_values_span_lines(void **state)
{
    (void)state;
    CHECK("CERT=\"-----BEGIN-----\nAAAA\n-----END-----\"\nS='a\n\nb'\nNEXT=1\n",
          {"CERT", "-----BEGIN-----\nAAAA\n-----END-----", 1}, {"S", "a\n\nb", 4},
          {"NEXT", "1", 7});
    /* A statement may follow a quoted value on the same line. */
    CHECK("A=\"x\" B=y # c\n", {"A", "x", 1}, {"B", "y", 1});
}

static void crlf_and_lone_cr(void **state)
{
    (void)state;
    CHECK("A=1\r\nB=\"x\r\ny\"\r\nC=z\rD=2\r\n# c\r\n", {"A", "1", 1}, {"B", "x\ny", 2},
          {"C", "z", 4}, {"D", "2", 4});
}

static void byte_order_mark_is_refused_like_godotenv(void **state)
{
    (void)state;
    /* godotenv takes 0xEF as a letter and stops at 0xBB. */
    REFUSED("\xEF\xBB\xBF"
            "A=1\n",
            "1:2:", NULL);
}

static void expansion(void **state)
{
    (void)state;
    CHECK("BASE=/srv\n"
          "A=$BASE/a\n"
          "B=${BASE}/b\n"
          "C=\"${BASE}/c\"\n"
          "D='${BASE}'\n"
          "E=\\$BASE\n"
          "F=\"\\$BASE \\${BASE}\"\n"
          "G=$UNSET|\n"
          "H=${lower} $lower\n"
          "I=cost $\n"
          "J=$(BASE)\n"
          "K=$BASE}x ${BASE\n"
          "BASE=$BASE/x\n",
          {"BASE", "/srv/x", 13}, {"A", "/srv/a", 2}, {"B", "/srv/b", 3}, {"C", "/srv/c", 4},
          {"D", "${BASE}", 5}, {"E", "$BASE", 6}, {"F", "$BASE ${BASE}", 7}, {"G", "|", 8},
          {"H", "${lower} $lower", 9}, {"I", "cost $", 10}, {"J", "/srv)", 11},
          {"K", "/srvx /srv", 12});
}

/* godotenv v1.5.1 expands from the file alone: a variable of the environment is not seen. */
static void expansion_never_reads_the_environment(void **state)
{
    (void)state;
    setenv("ATMOS_DOTENV_TEST_DIR", "/from-env", 1);
    CHECK("A=$ATMOS_DOTENV_TEST_DIR/x\nATMOS_DOTENV_TEST_DIR=/file\nB=$ATMOS_DOTENV_TEST_DIR\n",
          {"A", "/x", 1}, {"ATMOS_DOTENV_TEST_DIR", "/file", 2}, {"B", "/file", 3});
    unsetenv("ATMOS_DOTENV_TEST_DIR");
}

static void later_setting_wins_in_first_place(void **state)
{
    (void)state;
    CHECK("A=1\nB=2\nA=3\n", {"A", "3", 3}, {"B", "2", 2});
    CHECK("P=a\nP=$P:b\n", {"P", "a:b", 2});
}

static void data_need_not_be_terminated(void **state)
{
    (void)state;
    struct atmos_dotenv_var *v;
    size_t n;
    struct atmos_err err;
    /* Only "A=1" of "A=1B" is the file. */
    assert_int_equal(parse("A=1B", 3, &v, &n, &err), ATMOS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].value, "1");
    atmos_dotenv_free(v, n);
    assert_int_equal(parse("A=\"1\"", 4, &v, &n, &err), ATMOS_EINVAL);
}

static void errors_name_the_place_not_the_value(void **state)
{
    (void)state;
    REFUSED("A=\"hunter2-secret\nB=2\n", "1:3:", "hunter2");
    REFUSED("OK=1\nB='hunter2-secret", "2:3:", "hunter2");
    REFUSED("BAD-NAME=hunter2\n", "1:4:", "hunter2");
    REFUSED("PASSWORD hunter2\n", "1:17:", "hunter2"); /* the line feed */
    REFUSED("hunter2", "1:", "hunter2");               /* godotenv: "" = hunter2 */
    REFUSED("=hunter2\n", "1:1:", "hunter2");
    REFUSED("export =hunter2\n", "1:8:", "hunter2");
    REFUSED("export   ", "1:", NULL);
    REFUSED("A=\"x\"hunter2\n", "1:13:", "hunter2");
    REFUSED("\xC3\xA9T\xC3\xA9=1\n", "1:2:", NULL); /* é is C3 A9, and A9 is (c) */
    /* The quote after an escaped backslash does not close (godotenv v1.5.1). */
    REFUSED("A=\"C:\\\\\"\nB=1\n", "1:3:", NULL);
    REFUSED("A=hun\0ter2\n", "1:6:", "hunter2");
    REFUSED("A=1\nB=x\n\n  \0", "4:3:", NULL);
}

static void bounds(void **state)
{
    (void)state;
    struct atmos_buf b = {0};
    struct atmos_dotenv_var *v;
    size_t n;
    struct atmos_err err;
    for (int i = 0; i < ATMOS_DOTENV_MAX_VARS; i++)
        assert_int_equal(atmos_buf_printf(&b, "V%d=%d\nV0=again\n", i, i), 0);
    assert_int_equal(parse(b.data, b.len, &v, &n, &err), ATMOS_OK);
    assert_int_equal(n, ATMOS_DOTENV_MAX_VARS);
    assert_string_equal(v[0].value, "again");
    atmos_dotenv_free(v, n);
    assert_int_equal(atmos_buf_printf(&b, "ONE_TOO_MANY=x\n"), 0);
    refused(b.data, b.len, "2049:", NULL);
    atmos_buf_free(&b);

    /* A value of exactly 64 KiB, then one byte more, quoted and not. */
    char *big = malloc(ATMOS_DOTENV_MAX_VALUE + 8);
    assert_non_null(big);
    memcpy(big, "A='", 3);
    memset(big + 3, 's', ATMOS_DOTENV_MAX_VALUE);
    big[3 + ATMOS_DOTENV_MAX_VALUE] = '\'';
    assert_int_equal(parse(big, ATMOS_DOTENV_MAX_VALUE + 4, &v, &n, &err), ATMOS_OK);
    assert_int_equal(strlen(v[0].value), ATMOS_DOTENV_MAX_VALUE);
    atmos_dotenv_free(v, n);
    memset(big + 2, 's', ATMOS_DOTENV_MAX_VALUE + 1);
    refused(big, ATMOS_DOTENV_MAX_VALUE + 3, "1:", "sss");
    free(big);

    /* Expansion that doubles its length each line stops at the bound. */
    assert_int_equal(atmos_buf_printf(&b, "X0=0123456789abcdef\n"), 0);
    for (int i = 1; i < 20; i++)
        assert_int_equal(atmos_buf_printf(&b, "X%d=$X%d$X%d\n", i, i - 1, i - 1), 0);
    refused(b.data, b.len, "14:", "0123456789");
    atmos_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_both_separators),
        cmocka_unit_test(export_prefix_needs_a_blank),
        cmocka_unit_test(blank_lines_and_comments),
        cmocka_unit_test(unquoted_values),
        cmocka_unit_test(single_quotes_are_literal),
        cmocka_unit_test(double_quotes_and_escapes),
        cmocka_unit_test(quoted_values_span_lines),
        cmocka_unit_test(crlf_and_lone_cr),
        cmocka_unit_test(byte_order_mark_is_refused_like_godotenv),
        cmocka_unit_test(expansion),
        cmocka_unit_test(expansion_never_reads_the_environment),
        cmocka_unit_test(later_setting_wins_in_first_place),
        cmocka_unit_test(data_need_not_be_terminated),
        cmocka_unit_test(errors_name_the_place_not_the_value),
        cmocka_unit_test(bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
