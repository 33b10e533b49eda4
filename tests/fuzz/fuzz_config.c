/*
 * libFuzzer target: the atmos.yaml loader (YAML, then the auth section, then
 * validation).  Any input must end in a configuration or a clear error,
 * never a crash, a leak or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "plan/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    struct atmos_env env = {0};
    struct atmos_err err;
    env.home = "/home/fuzz";
    if (cfg == NULL)
        return 0;
    int rc = atmos_config_merge_buffer(cfg, "fuzz.yaml", (const char *)data, size, &err);
    if (rc == ATMOS_OK)
        rc = atmos_config_finish(cfg, &env, &err);
    if (rc != ATMOS_OK && err.msg[0] == '\0')
        abort(); /* every failure must say why */
    if (rc == ATMOS_OK) {
        /* A valid configuration resolves the chain of every identity it keeps without a problem. */
        for (size_t i = 0; i < cfg->nidentities; i++) {
            struct atmos_chain ch;
            if (cfg->identities[i].problem)
                continue;
            if (atmos_chain_resolve(cfg, cfg->identities[i].name, &ch, &err) != ATMOS_OK)
                abort();
            atmos_chain_free(&ch);
        }
    }
    atmos_config_free(cfg);
    return 0;
}
