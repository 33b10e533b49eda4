/*
 * The interactive selector: choose an identity, a provider, or everything.
 *
 * The terminal is put in raw mode for the choice and always restored: on
 * every return, and from a signal handler (SIGTERM, SIGHUP, ...) that then
 * re-raises the signal.  Ctrl-C arrives as a key (ISIG is off) and cancels.
 * Names come from a user's file: they are shown escaped (atmos_show), so a
 * name cannot move the cursor or clear the screen the choice is drawn on.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "select.h"
#include "show.h"

static struct termios saved;
static volatile sig_atomic_t raw_on;
static const int caught[] = {SIGTERM, SIGHUP, SIGQUIT, SIGINT, SIGTSTP};
static struct sigaction old_actions[sizeof(caught) / sizeof(*caught)];

static void restore(void)
{
    if (raw_on) {
        /* tcsetattr and write are async-signal-safe. */
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        if (write(STDOUT_FILENO, "\033[?25h", 6) < 0) {
            /* nothing more to do for a terminal that went away */
        }
        raw_on = 0;
    }
}

static void on_signal(int sig)
{
    restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int enter_raw(void)
{
    struct termios raw;
    if (tcgetattr(STDIN_FILENO, &saved) != 0)
        return -1;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < sizeof(caught) / sizeof(*caught); i++)
        sigaction(caught[i], &sa, &old_actions[i]);
    raw_on = 1;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) {
        raw_on = 0;
        return -1;
    }
    return 0;
}

static void leave_raw(void)
{
    restore();
    for (size_t i = 0; i < sizeof(caught) / sizeof(*caught); i++)
        sigaction(caught[i], &old_actions[i], NULL);
}

static size_t build(const struct atmos_config *cfg, struct atmos_choice *v)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->nidentities; i++)
        v[n++] = (struct atmos_choice){ATMOS_CHOICE_IDENTITY, cfg->identities[i].name};
    for (size_t i = 0; i < cfg->nproviders; i++)
        v[n++] = (struct atmos_choice){ATMOS_CHOICE_PROVIDER, cfg->providers[i].name};
    v[n++] = (struct atmos_choice){ATMOS_CHOICE_ALL, NULL};
    return n;
}

static void label(FILE *out, const struct atmos_choice *c)
{
    switch (c->kind) {
    case ATMOS_CHOICE_IDENTITY:
        fprintf(out, "Identity: %s", atmos_show(c->name));
        break;
    case ATMOS_CHOICE_PROVIDER:
        fprintf(out, "Provider: %s (and every identity it roots)", atmos_show(c->name));
        break;
    case ATMOS_CHOICE_ALL:
        fprintf(out, "All identities (complete logout)");
        break;
    }
}

/* How many choices fit: the terminal's rows less the question and the help line (and one
 * spare, so that nothing scrolls); all of them when the size is unknown. */
static size_t window(size_t n)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
        return n;
    size_t fit = ws.ws_row > 6 ? (size_t)ws.ws_row - 3 : 3;
    return fit < n ? fit : n;
}

/* The visible rows [*top, *top + shown) around cur; redraw moves back over the last `shown`. */
static void draw(const struct atmos_choice *v, size_t n, size_t cur, int color, size_t *top,
                 size_t *shown)
{
    if (*shown)
        printf("\033[%zuA", *shown + 1);
    size_t w = window(n);
    if (cur < *top)
        *top = cur;
    else if (cur >= *top + w)
        *top = cur + 1 - w;
    if (*top + w > n)
        *top = n - w;
    for (size_t i = *top; i < *top + w; i++) {
        const char *ptr = atmos_utf8() ? "❯ " : "> ";
        printf("\r\033[2K%s%s", i == cur && color ? "\033[36m" : "", i == cur ? ptr : "  ");
        label(stdout, &v[i]);
        printf("%s\n", i == cur && color ? "\033[0m" : "");
    }
    /* A shorter list than last time (the terminal shrank): clear what is left below. */
    printf("\r\033[J%s(%zu of %zu; %s/%s or j/k move, 1-9 jump, Enter choose, q cancel)%s\n",
           color ? "\033[2m" : "", cur + 1, n, atmos_utf8() ? "↑" : "up",
           atmos_utf8() ? "↓" : "down", color ? "\033[0m" : "");
    *shown = w;
    fflush(stdout);
}

/* What one read brought and no key has taken yet: keys typed fast, or pasted, arrive
 * together, and each is a key of its own. */
static unsigned char pending[64];
static size_t npending;

/* A byte is pending: 1; none within wait_ms (-1: wait as long as it takes): 0; the terminal
 * went away: -1. */
static int fill(int wait_ms)
{
    ssize_t n;
    if (npending)
        return 1;
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    if (wait_ms >= 0 && poll(&p, 1, wait_ms) <= 0)
        return 0;
    do
        n = read(STDIN_FILENO, pending, sizeof(pending));
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    npending = (size_t)n;
    return 1;
}

static int take(void)
{
    int c = pending[0];
    memmove(pending, pending + 1, --npending);
    return c;
}

/* After Esc: a lone Esc quits; an arrow's sequence (CSI or SS3, parameters and all) is
 * taken whole; anything else is left for the next key. */
static int escape_key(void)
{
    if (fill(50) <= 0)
        return 'Q';
    if (pending[0] != '[' && pending[0] != 'O')
        return 0;
    take();
    int c = 0;
    while (fill(50) > 0 && (c = take()) >= 0x20 && c <= 0x3f)
        ; /* parameters and intermediates, up to the final byte */
    return c == 'A' ? 'U' : c == 'B' ? 'D' : 0;
}

/* One key: 'U'p, 'D'own, 'E'nter, 'Q'uit, 'I'nterrupt, 'y', 'n', a digit, or 0 for anything
 * else. */
static int read_key(void)
{
    if (fill(-1) <= 0)
        return 'Q'; /* the terminal went away */
    int c = take();
    switch (c) {
    case 0x1b:
        return escape_key();
    case 'k':
        return 'U';
    case 'j':
        return 'D';
    case '\r':
    case '\n':
        return 'E';
    case 0x03: /* Ctrl-C: an interrupt, said as one (exit 130) */
        return 'I';
    case 'q':
    case 0x04: /* Ctrl-D */
        return 'Q';
    case 'y':
    case 'Y':
        return 'y';
    case 'n':
    case 'N':
        return 'n';
    default:
        return c >= '1' && c <= '9' ? c : 0;
    }
}

int atmos_select(const struct atmos_config *cfg, struct atmos_choice *out, int color)
{
    size_t n = cfg->nidentities + cfg->nproviders + 1, cur = 0, top = 0, shown = 0;
    struct atmos_choice *v = calloc(n, sizeof(*v));
    int rc = -1;
    if (v == NULL)
        return -1;
    build(cfg, v);
    if (enter_raw() != 0)
        goto done;
    printf("%s?%s Choose what to log out of:\n\033[?25l", color ? "\033[32m" : "",
           color ? "\033[0m" : "");
    draw(v, n, cur, color, &top, &shown);
    for (;;) {
        int k = read_key();
        if (k == 'Q' || k == 'I') {
            rc = k == 'Q' ? 0 : 2;
            break;
        }
        if (k == 'E') {
            *out = v[cur];
            rc = 1;
            break;
        }
        if (k == 'U')
            cur = cur == 0 ? n - 1 : cur - 1;
        else if (k == 'D')
            cur = (cur + 1) % n;
        else if (k >= '1' && k <= '9' && (size_t)(k - '1') < n)
            cur = (size_t)(k - '1');
        else
            continue;
        draw(v, n, cur, color, &top, &shown);
    }
    leave_raw();
    /* Replace the list with the answer, as a prompt does. */
    printf("\033[%zuA\r\033[J", shown + 2);
    printf("? Choose what to log out of: ");
    if (rc == 1)
        label(stdout, out);
    else
        printf("(cancelled)");
    printf("\n");
    fflush(stdout);
done:
    free(v);
    return rc;
}

int atmos_confirm(const char *question, int color)
{
    int rc = -1;
    if (enter_raw() != 0)
        return -1;
    /* Only a key pressed for this question answers it: nothing typed ahead. */
    npending = 0;
    tcflush(STDIN_FILENO, TCIFLUSH);
    printf("%s?%s %s [y/N] ", color ? "\033[32m" : "", color ? "\033[0m" : "", question);
    fflush(stdout);
    /* One key answers; Enter is the default, no.  Anything else is not an answer. */
    while (rc < 0) {
        int k = read_key();
        rc = k == 'y' ? 1 : k == 'n' || k == 'E' || k == 'Q' ? 0 : k == 'I' ? 2 : -1;
    }
    leave_raw();
    printf("%s\n%s", rc == 1 ? "yes" : "no", rc == 1 ? "\n" : "");
    fflush(stdout);
    return rc;
}

void atmos_print_choices(FILE *out, const struct atmos_config *cfg)
{
    fprintf(out, "Error: no identity given, and no terminal to choose one on.\n\n"
                 "Name what to log out from:\n");
    for (size_t i = 0; i < cfg->nidentities; i++)
        fprintf(out, "  atmos-logout %s\n", atmos_show(cfg->identities[i].name));
    for (size_t i = 0; i < cfg->nproviders; i++)
        fprintf(out, "  atmos-logout --provider %s\n", atmos_show(cfg->providers[i].name));
    fprintf(out, "  atmos-logout --all\n");
}
