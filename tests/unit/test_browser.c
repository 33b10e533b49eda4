/*
 * The pure parts of the browser sessions' planning: the console profile's
 * name (sha256 of realm "/" identity, as cmd/auth/console.go
 * consoleSessionDir makes it; the expected values were computed with
 * Python's hashlib, not with this code) and the storage-state check
 * saml2aws's file must pass before it is removed.
 */
#include "testutil.h"

#include <string.h>

#include "clouds/aws/browser.h"
#include "clouds/console.h"
#include "base/strings.h"

static void profile_names(void **state)
{
    (void)state;
    static const struct {
        const char *realm, *identity, *hex;
    } cases[] = {
        {"r1", "web-user", "93a73c236a4ebd65"},
        {"default", "Dev-Admin", "00f0a5f51c8cabb2"}, /* the spelling as typed: not lowercased */
        {"0123456789abcdef", "a/b", "1a565c9d06c032db"},
        {"", "x", "b3d1db318671a024"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char hex[17];
        atmos_console_profile_name(cases[i].realm, cases[i].identity, hex);
        assert_string_equal(hex, cases[i].hex);
    }
    char hex[17];
    atmos_sha256_hex16("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c14");
}

static int state_of(const char *s)
{
    return atmos_aws_is_storage_state(s, strlen(s));
}

static void storage_states(void **state)
{
    (void)state;
    assert_true(state_of("{\"cookies\":[],\"origins\":[]}"));
    assert_true(state_of("\xef\xbb\xbf{\"cookies\":[{\"name\":\"a\",\"value\":\"b\"}]}"));
    assert_false(state_of("{\"origins\":[]}"));      /* no cookies */
    assert_false(state_of("{\"cookies\":{}}"));      /* not an array */
    assert_false(state_of("[{\"cookies\":[]}]"));    /* not an object */
    assert_false(state_of("{\"cookies\":[]"));       /* not JSON */
    assert_false(state_of("{\"cookies\":[]} tail")); /* trailing bytes */
    assert_false(state_of(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(profile_names),
        cmocka_unit_test(storage_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
