/*
 * Telling network filesystems from local ones: the magic-number table, FUSE
 * subtypes read from a mountinfo text, and skipping a plan's items on one.
 */
#include "testutil.h"

#include <atmos/plan.h>

#include "sys/netfs.h"

static void magic_numbers(void **state)
{
    (void)state;
    static const struct {
        unsigned long magic;
        const char *want;
    } cases[] = {
        {0x6969, "nfs"},      {0xff534d42, "cifs"},
        {0xfe534d42, "smb2"}, {0x517b, "smb"},
        {0x5346414f, "afs"},  {0x6b414653, "kafs"},
        {0x00c36400, "ceph"}, {0x0bd00bd0, "lustre"},
        {0x47504653, "gpfs"}, {0x01021997, "9p"},
        {0xef53, NULL},                                     /* ext4 */
        {0x58465342, NULL},   /* xfs */ {0x9123683e, NULL}, /* btrfs */
        {0x01021994, NULL},                                 /* tmpfs */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const char *k = atmos_netfs_kind(cases[i].magic, NULL);
        if (cases[i].want)
            assert_string_equal(k, cases[i].want);
        else
            assert_null(k);
    }
}

static void fuse_subtypes(void **state)
{
    (void)state;
    const unsigned long fuse = 0x65735546;
    assert_string_equal(atmos_netfs_kind(fuse, "fuse.sshfs"), "sshfs");
    assert_string_equal(atmos_netfs_kind(fuse, "fuse.glusterfs"), "glusterfs");
    assert_string_equal(atmos_netfs_kind(fuse, "fuse.s3fs"), "s3fs");
    assert_string_equal(atmos_netfs_kind(fuse, "fuse.rclone"), "rclone");
    assert_null(atmos_netfs_kind(fuse, "fuseblk")); /* ntfs-3g on a local disk */
    assert_null(atmos_netfs_kind(fuse, "fuse.lxcfs"));
    assert_null(atmos_netfs_kind(fuse, NULL));
    assert_null(atmos_netfs_kind(0xef53, "fuse.sshfs")); /* the magic decides first */
}

static const char mountinfo[] =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "40 22 0:45 / /home/alice rw,nosuid,nodev,relatime shared:25 - fuse.sshfs "
    "alice@files:/home/alice rw,user_id=0\n"
    "41 22 0:46 / /mnt/win rw,relatime shared:26 - fuseblk /dev/sdb1 rw,user_id=0\n"
    "42 22 0:47 / /mnt/opt\\040dir rw master:3 shared:27 - fuse.rclone remote: rw\n"
    "43 22 0:48 / /srv rw - nfs4 server:/srv rw,vers=4.2\n";

static void mountinfo_types(void **state)
{
    (void)state;
    char t[64];
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 0, 45, t, sizeof(t)), 0);
    assert_string_equal(t, "fuse.sshfs");
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 0, 46, t, sizeof(t)), 0);
    assert_string_equal(t, "fuseblk");
    /* several optional fields before the separator */
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 0, 47, t, sizeof(t)), 0);
    assert_string_equal(t, "fuse.rclone");
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 259, 2, t, sizeof(t)), 0);
    assert_string_equal(t, "ext4");
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 0, 99, t, sizeof(t)), ATMOS_ABSENT);
    assert_int_equal(atmos_netfs_mount_type("garbage\n\n- -", 0, 45, t, sizeof(t)), ATMOS_ABSENT);
    /* too long: none */
    assert_int_equal(atmos_netfs_mount_type(mountinfo, 0, 45, t, 4), ATMOS_ABSENT);
}

/* Items on this machine's own filesystems are never skipped. */
static void local_items_are_kept(void **state)
{
    (void)state;
    struct atmos_item items[2] = {{.kind = ATMOS_ITEM_FILE, .path = "/tmp/x/y/z"},
                                  {.kind = ATMOS_ITEM_KEYRING, .path = NULL}};
    struct atmos_plan plan = {.items = items, .nitems = 2};
    const char *kind = "x";
    char *mi = NULL;
    assert_null(atmos_netfs_of_path("/tmp/does/not/exist", &mi));
    free(mi);
    assert_int_equal(atmos_plan_skip_network(&plan, &kind), 0);
    assert_null(kind);
    assert_int_equal(items[0].skip, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(magic_numbers),
        cmocka_unit_test(fuse_subtypes),
        cmocka_unit_test(mountinfo_types),
        cmocka_unit_test(local_items_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
