/*
 * make bench's floor for an identity logout: the least any program must do to
 * log one identity out of atmos's AWS files, measured in the same run.
 *
 *   floor_logout CONFIG DIR IDENTITY [FILE]
 *
 * reads CONFIG (the atmos.yaml) whole, then for DIR/credentials ([IDENTITY])
 * and DIR/config ([profile IDENTITY]) reads the file, drops the section,
 * writes the rest to a temporary, fsyncs it, renames it over the file and
 * fsyncs the directory; with FILE (a kubeconfig), one more such durable
 * rewrite of it, dropping the lines that name IDENTITY.  No locks, no
 * checks, no parsing beyond that: what atmos-logout costs above this is its
 * own.
 *
 * Built with -DFLOOR_ENGINE_LIBS (floor_logout_libs), it also pays what any
 * program that reads the configuration pays before its own work: the
 * engine's three libraries (libyaml, json-c, nettle) mapped at exec, one
 * libyaml event pass over CONFIG, and the realm's SHA-256 of its directory.
 * Not a target: the row that shows how much of the gap that is.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef FLOOR_ENGINE_LIBS
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <yaml.h>

static void read_config(const char *data, size_t len, const char *path)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        exit(1);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    for (int end = 0; !end;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e))
            exit(1);
        end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(path), (const uint8_t *)path);
    sha256_digest(&ctx, sizeof(digest), digest);
    if (json_c_version_num() == 0) /* json-c linked and called, as the engine links it */
        exit(1);
}
#endif

static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (fd < 0 || buf == NULL)
        exit(1);
    for (ssize_t r; (r = read(fd, buf + n, cap - n)) > 0;) {
        n += (size_t)r;
        if (n == cap && (buf = realloc(buf, (cap *= 2) + 1)) == NULL)
            exit(1);
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Drop the lines from `header` up to the next line starting with '[' (kube: the lines naming it).
 */
static void drop(const char *dir, const char *file, const char *header, int kube)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    snprintf(tmp, sizeof(tmp), "%s/.%s.floor", dir, file);
    size_t len;
    char *data = slurp(path, &len);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        exit(1);
    int skip = 0;
    for (char *line = data; *line;) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (kube)
            skip = memmem(line, l, header, strlen(header)) != NULL;
        else if (line[0] == '[')
            skip = strncmp(line, header, strlen(header)) == 0;
        if (!skip && write(out, line, l) != (ssize_t)l)
            exit(1);
        line += l;
    }
    if (fsync(out) != 0 || close(out) != 0 || rename(tmp, path) != 0)
        exit(1);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0)
        exit(1);
    close(dfd);
    free(data);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5)
        return 2;
    size_t len;
    char *config = slurp(argv[1], &len);
#ifdef FLOOR_ENGINE_LIBS
    read_config(config, len, argv[1]);
#endif
    free(config);
    char header[512];
    snprintf(header, sizeof(header), "[%s]", argv[3]);
    drop(argv[2], "credentials", header, 0);
    snprintf(header, sizeof(header), "[profile %s]", argv[3]);
    drop(argv[2], "config", header, 0);
    if (argc == 5) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", argv[4]);
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            return 2;
        *slash = '\0';
        drop(dir, slash + 1, argv[3], 1);
    }
    return 0;
}
