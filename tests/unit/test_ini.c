/*
 * The INI section remover: only the target section goes, every other byte stays.
 */
#include "testutil.h"

#include "formats/ini.h"

struct result {
    char *out;
    struct atmos_ini_result res;
};

static struct result run(const char *in, enum atmos_ini_flavor fl, const char *name)
{
    struct atmos_buf out = {0};
    struct result r;
    assert_int_equal(atmos_ini_remove(in, strlen(in), fl, name, &out, &r.res), 0);
    r.out = out.data ? out.data : strdup("");
    return r;
}

static void check(const char *in, enum atmos_ini_flavor fl, const char *name, const char *want,
                  int found, int left)
{
    struct result r = run(in, fl, name);
    assert_string_equal(r.out, want);
    assert_int_equal(r.res.found, found);
    assert_int_equal(r.res.sections_left, left);
    free(r.out);
}

static void removes_middle_section_and_its_atmos_comment(void **state)
{
    (void)state;
    check("; atmos: expiration=2030-01-01T00:00:00Z\n[a]\nk = 1\n\n"
          "; atmos: expiration=2030-01-01T00:00:00Z\n[b]\nk = 2\n\n"
          "; atmos: expiration=2030-01-01T00:00:00Z\n[c]\nk = 3\n",
          ATMOS_INI_CREDENTIALS, "b",
          "; atmos: expiration=2030-01-01T00:00:00Z\n[a]\nk = 1\n\n"
          "; atmos: expiration=2030-01-01T00:00:00Z\n[c]\nk = 3\n",
          1, 2);
}

static void keeps_user_comment_above_next_section(void **state)
{
    (void)state;
    check("[a]\nk = 1\n# inside a\nx = 2\n\n# about b\n; more about b\n[b]\nk = 2\n",
          ATMOS_INI_CREDENTIALS, "a", "# about b\n; more about b\n[b]\nk = 2\n", 1, 1);
}

static void last_section_without_final_newline(void **state)
{
    (void)state;
    check("[a]\nk = 1\n[b]\nk = 2", ATMOS_INI_CREDENTIALS, "b", "[a]\nk = 1\n", 1, 1);
    check("[a]\nk = 1\n[b]\nk = 2", ATMOS_INI_CREDENTIALS, "a", "[b]\nk = 2", 1, 1);
}

static void crlf_is_preserved(void **state)
{
    (void)state;
    check("[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2\r\n", ATMOS_INI_CREDENTIALS, "a", "[b]\r\nk = 2\r\n", 1,
          1);
    check("[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2\r\n", ATMOS_INI_CREDENTIALS, "b",
          "[a]\r\nk = 1\r\n\r\n", 1, 1);
}

static void nested_block_with_bracket_line_is_a_value(void **state)
{
    (void)state;
    /* "  [b]" is indented under s3 =, so configparser reads it as part of the value. */
    const char *in =
        "[profile a]\ns3 =\n  max_concurrent_requests = 20\n  [b]\n[profile c]\nk = v\n";
    check(in, ATMOS_INI_CONFIG, "a", "[profile c]\nk = v\n", 1, 1);
    check(in, ATMOS_INI_CONFIG, "b", in, 0, 2);
}

static void config_header_forms(void **state)
{
    (void)state;
    check("[profile dev]\nk = 1\n[profile other]\n", ATMOS_INI_CONFIG, "dev", "[profile other]\n",
          1, 1);
    check("[profile \"dev\"]\nk = 1\n[profile other]\n", ATMOS_INI_CONFIG, "dev",
          "[profile other]\n", 1, 1);
    check("[profile   dev]\nk = 1\n[profile other]\n", ATMOS_INI_CONFIG, "dev", "[profile other]\n",
          1, 1);
    check("[profile \"my dev\"]\nk = 1\n[x]\n", ATMOS_INI_CONFIG, "my dev", "[x]\n", 1, 1);
    check("[default]\nk = 1\n[profile x]\n", ATMOS_INI_CONFIG, "default", "[profile x]\n", 1, 1);
    /* The credentials-file form is not the config-file form, and vice versa. */
    check("[dev]\nk = 1\n", ATMOS_INI_CONFIG, "dev", "[dev]\nk = 1\n", 0, 1);
    check("[profile dev]\nk = 1\n", ATMOS_INI_CREDENTIALS, "dev", "[profile dev]\nk = 1\n", 0, 1);
    /* Prefixes and lookalikes stay. */
    check("[profile dev-admin]\n[profile devx]\n[profilex dev]\n", ATMOS_INI_CONFIG, "dev",
          "[profile dev-admin]\n[profile devx]\n[profilex dev]\n", 0, 3);
    check("[profile \"dev]\nk=1\n", ATMOS_INI_CONFIG, "dev", "[profile \"dev]\nk=1\n", 0, 1);
}

static void default_section_is_never_removed_and_not_counted(void **state)
{
    (void)state;
    check("[DEFAULT]\nregion = x\n[a]\nk = 1\n", ATMOS_INI_CREDENTIALS, "a",
          "[DEFAULT]\nregion = x\n", 1, 0);
    check("[DEFAULT]\nregion = x\n", ATMOS_INI_CREDENTIALS, "DEFAULT", "[DEFAULT]\nregion = x\n", 0,
          0);
}

static void duplicate_sections_all_go(void **state)
{
    (void)state;
    check("[a]\nk=1\n[b]\nk=2\n[a]\nk=3\n", ATMOS_INI_CREDENTIALS, "a", "[b]\nk=2\n", 2, 1);
}

static void absent_section_leaves_input_identical(void **state)
{
    (void)state;
    const char *in = "# header comment\n[a]\nk = 1\n\n[b]\nk = 2\n";
    check(in, ATMOS_INI_CREDENTIALS, "zzz", in, 0, 2);
    check("", ATMOS_INI_CREDENTIALS, "a", "", 0, 0);
}

static void only_section_leaves_nothing(void **state)
{
    (void)state;
    check("; atmos: expiration=2030-01-01T00:00:00Z\n[a]\nk = 1\n", ATMOS_INI_CREDENTIALS, "a", "",
          1, 0);
}

static void header_with_trailing_text_and_indent(void **state)
{
    (void)state;
    check("[a] ; note\nk = 1\n[b]\nk = 2\n", ATMOS_INI_CREDENTIALS, "a", "[b]\nk = 2\n", 1, 1);
    /* Indented right after a header: a header (configparser agrees). */
    check("[a]\n  [b]\nk = 2\n", ATMOS_INI_CREDENTIALS, "b", "[a]\n", 1, 1);
    /* Indented after an option: a continuation of that option, not a section. */
    check("[a]\nk = 1\n\t[b]  \nk = 2\n", ATMOS_INI_CREDENTIALS, "b",
          "[a]\nk = 1\n\t[b]  \nk = 2\n", 0, 1);
}

static void byte_order_mark_is_kept(void **state)
{
    (void)state;
    check("\xEF\xBB\xBF[a]\nk = 1\n[b]\nk = 2\n", ATMOS_INI_CREDENTIALS, "a",
          "\xEF\xBB\xBF[b]\nk = 2\n", 1, 1);
    check("\xEF\xBB\xBF[a]\nk = 1\n[b]\nk = 2\n", ATMOS_INI_CREDENTIALS, "b",
          "\xEF\xBB\xBF[a]\nk = 1\n", 1, 1);
    /* The atmos comment on the first line, after the BOM, still belongs to [a] (found by fuzzing).
     */
    check("\xEF\xBB\xBF; atmos: expiration=2030-01-01T00:00:00Z\n[a]\nk = 1\n[b]\n",
          ATMOS_INI_CREDENTIALS, "a", "\xEF\xBB\xBF[b]\n", 1, 1);
}

static void atmos_comment_only_directly_above(void **state)
{
    (void)state;
    /* A blank line between comment and header: the comment is not the section's. */
    check("[x]\n; atmos: expiration=1\n\n[a]\nk = 1\n", ATMOS_INI_CREDENTIALS, "a",
          "[x]\n; atmos: expiration=1\n\n", 1, 1);
}

static void refuses_a_removal_that_would_change_the_next_section(void **state)
{
    (void)state;
    /* "  [b]" reads as a header after [a]; with [a] gone it would continue k's value. */
    struct result r = run("[x]\nk = 1\n[a]\n  [b]\nm = 2\n", ATMOS_INI_CREDENTIALS, "a");
    assert_int_equal(r.res.found, 1);
    assert_int_equal(r.res.unsafe, 1);
    free(r.out);
    r = run("[x]\nk = 1\n[a]\n[b]\nm = 2\n", ATMOS_INI_CREDENTIALS, "a");
    assert_int_equal(r.res.unsafe, 0);
    free(r.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(removes_middle_section_and_its_atmos_comment),
        cmocka_unit_test(keeps_user_comment_above_next_section),
        cmocka_unit_test(last_section_without_final_newline),
        cmocka_unit_test(crlf_is_preserved),
        cmocka_unit_test(nested_block_with_bracket_line_is_a_value),
        cmocka_unit_test(config_header_forms),
        cmocka_unit_test(default_section_is_never_removed_and_not_counted),
        cmocka_unit_test(duplicate_sections_all_go),
        cmocka_unit_test(absent_section_leaves_input_identical),
        cmocka_unit_test(only_section_leaves_nothing),
        cmocka_unit_test(header_with_trailing_text_and_indent),
        cmocka_unit_test(byte_order_mark_is_kept),
        cmocka_unit_test(atmos_comment_only_directly_above),
        cmocka_unit_test(refuses_a_removal_that_would_change_the_next_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
