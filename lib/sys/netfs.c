/*
 * Is a path on a network filesystem?  Home directories on NFS, SMB, AFS,
 * CephFS or a network FUSE filesystem are shared by every host a user is
 * logged in on: the last session closing on one host must not pull the
 * credentials from under a session on another (pam_atmos network_home=skip).
 *
 * The filesystem is told by statfs(2)'s f_type; FUSE filesystems all share
 * one magic number, so for them the subtype comes from /proc/self/mountinfo
 * ("fuse.sshfs").  Only classification: nothing here opens a file to act on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <atmos/error.h>
#include <atmos/plan.h>

#include "base/strings.h"
#include "base/limits.h"
#include "sys/netfs.h"

#define FUSE_MAGIC 0x65735546UL /* linux/magic.h FUSE_SUPER_MAGIC */

/*
 * Network and cluster filesystems by statfs magic.  Sources: the kernel's
 * include/uapi/linux/magic.h (nfs, smb, cifs, smb2, afs, kafs, ceph, 9p, coda)
 * and fs/; Lustre's lustre/include/uapi/linux/lustre/lustre_user.h
 * (LL_SUPER_MAGIC); IBM Storage Scale's GPFS_SUPER_MAGIC ("GPFS"); OCFS2 and
 * GFS2 are cluster filesystems, shared by every node that mounts them.
 */
static const struct {
    unsigned long magic;
    const char *name;
} magics[] = {
    {0x6969UL, "nfs"},        /* NFS_SUPER_MAGIC */
    {0x517bUL, "smb"},        /* SMB_SUPER_MAGIC */
    {0xff534d42UL, "cifs"},   /* CIFS_SUPER_MAGIC */
    {0xfe534d42UL, "smb2"},   /* SMB2_SUPER_MAGIC */
    {0x5346414fUL, "afs"},    /* AFS_SUPER_MAGIC (OpenAFS) */
    {0x6b414653UL, "kafs"},   /* AFS_FS_MAGIC (the kernel's AFS) */
    {0x00c36400UL, "ceph"},   /* CEPH_SUPER_MAGIC */
    {0x0bd00bd0UL, "lustre"}, /* LL_SUPER_MAGIC */
    {0x47504653UL, "gpfs"},   /* GPFS_SUPER_MAGIC */
    {0x01021997UL, "9p"},     /* V9FS_MAGIC */
    {0x73757245UL, "coda"},   /* CODA_SUPER_MAGIC */
    {0x7461636fUL, "ocfs2"},  /* OCFS2_SUPER_MAGIC */
    {0x01161970UL, "gfs2"},   /* GFS2_MAGIC */
    {0xaad7aaeaUL, "panfs"},  /* PANFS_SUPER_MAGIC (Panasas) */
    {0x19830326UL, "fhgfs"},  /* BeeGFS (formerly FhGFS) client */
};

/* FUSE subtypes of network filesystems (mountinfo's "fuse.<subtype>"). */
static const char *const fuse_network[] = {
    "sshfs",     "glusterfs", "s3fs",   "rclone",  "gcsfuse", "goofys",    "blobfuse",
    "blobfuse2", "ceph-fuse", "ceph",   "moosefs", "mfs",     "lizardfs",  "juicefs",
    "curlftpfs", "davfs",     "webdav", "cvmfs2",  "beegfs",  "seaweedfs", "objectivefs",
};

const char *atmos_netfs_kind(unsigned long magic, const char *fuse_type)
{
    for (size_t i = 0; i < sizeof(magics) / sizeof(*magics); i++)
        if (magics[i].magic == magic)
            return magics[i].name;
    if (magic != FUSE_MAGIC || fuse_type == NULL || strncmp(fuse_type, "fuse.", 5) != 0)
        return NULL; /* fuseblk and plain fuse: a local disk (ntfs-3g, exfat) */
    for (size_t i = 0; i < sizeof(fuse_network) / sizeof(*fuse_network); i++)
        if (strcmp(fuse_type + 5, fuse_network[i]) == 0)
            return fuse_network[i];
    return NULL;
}

int atmos_netfs_mount_type(const char *mountinfo, unsigned maj, unsigned min, char *out, size_t len)
{
    /* "36 35 98:0 /root /mnt opts [optional...] - fstype source superopts" */
    for (const char *line = mountinfo; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        unsigned a, b;
        const char *sep = NULL;
        for (const char *p = line; p + 3 <= line + n; p++)
            if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
                sep = p + 3;
                break;
            }
        if (sscanf(line, "%*s %*s %u:%u", &a, &b) == 2 && a == maj && b == min && sep) {
            size_t t = strcspn(sep, " \n");
            if (t == 0 || t >= len)
                return ATMOS_ABSENT; /* no fstype we could name: as if no such mount */
            memcpy(out, sep, t);
            out[t] = '\0';
            return ATMOS_OK;
        }
        line = nl ? nl + 1 : NULL;
    }
    return ATMOS_ABSENT;
}

/* /proc/self/mountinfo, whole (a few KiB; bounded). */
static char *read_mountinfo(void)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    struct atmos_buf b = {0};
    char chunk[4096];
    size_t n;
    if (f == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < ATMOS_MOUNTINFO_MAX_BYTES)
        if (atmos_buf_append(&b, chunk, n) != 0)
            break;
    fclose(f);
    if (atmos_buf_append(&b, "", 1) != 0) {
        atmos_buf_free(&b);
        return NULL;
    }
    return b.data;
}

const char *atmos_netfs_of_path(const char *path, char **mountinfo)
{
    char *p = strdup(path);
    struct statfs sf;
    struct stat st;
    const char *kind = NULL;
    if (p == NULL)
        return NULL;
    /* What does not exist yet would be created on its nearest existing parent's filesystem. */
    while (statfs(p, &sf) != 0 || stat(p, &st) != 0) {
        char *slash = strrchr(p, '/');
        if (errno != ENOENT || slash == NULL || slash == p)
            goto done;
        *slash = '\0';
    }
    char type[128] = "";
    if ((unsigned long)sf.f_type == FUSE_MAGIC) {
        if (*mountinfo == NULL)
            *mountinfo = read_mountinfo();
        if (*mountinfo)
            atmos_netfs_mount_type(*mountinfo, major(st.st_dev), minor(st.st_dev), type,
                                   sizeof(type));
    }
    kind = atmos_netfs_kind((unsigned long)sf.f_type, type[0] ? type : NULL);
done:
    free(p);
    return kind;
}

size_t atmos_plan_skip_network(struct atmos_plan *plan, const char **kind)
{
    char *mountinfo = NULL;
    size_t n = 0;
    *kind = NULL;
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        /* Keychain entries belong to this host's keyrings; only files are shared. */
        if (it->path == NULL || it->kind == ATMOS_ITEM_KEYRING || it->kind == ATMOS_ITEM_UNKNOWN)
            continue;
        const char *k = atmos_netfs_of_path(it->path, &mountinfo);
        if (k == NULL)
            continue;
        it->skip = 1;
        n++;
        if (*kind == NULL)
            *kind = k;
    }
    free(mountinfo);
    return n;
}
