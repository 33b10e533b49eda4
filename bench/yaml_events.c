/*
 * The floor for loading an atmos.yaml: read the file and run a bare libyaml
 * event pass over it (yaml_parser_parse until STREAM_END, each event deleted,
 * nothing else).  make bench times atmos-logout against it on the same file.
 *
 *   yaml_events FILE
 *
 * Exits 0 when the file parses, 1 at a parse error, 2 when it cannot be read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: yaml_events FILE\n");
        return 2;
    }
    /* The whole file in memory, as the engine reads it (yaml_parser_set_input_string). */
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[1]);
        return 2;
    }
    size_t len = (size_t)st.st_size, got = 0;
    unsigned char *data = malloc(len ? len : 1);
    if (data == NULL)
        return 2;
    while (got < len) {
        ssize_t n = read(fd, data + got, len - got);
        if (n <= 0) {
            perror(argv[1]);
            return 2;
        }
        got += (size_t)n;
    }
    close(fd);

    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return 2;
    yaml_parser_set_input_string(&p, data, len);
    int rc = 0;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            fprintf(stderr, "%s:%zu:%zu: %s\n", argv[1], p.problem_mark.line + 1,
                    p.problem_mark.column + 1, p.problem ? p.problem : "parse error");
            rc = 1;
            break;
        }
        int end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
        if (end)
            break;
    }
    yaml_parser_delete(&p);
    free(data);
    return rc;
}
