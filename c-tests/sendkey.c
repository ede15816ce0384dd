/* virDomainSendKey's key code sets on the test driver, differential: for each set (and two
 * past the last), which codes a running domain accepts, printed as ranges, and the error of
 * each refused code's first occurrence; a key list with one bad code among good ones. The
 * codes tried are every value up to 0x2ff and the 0xe0-prefixed ones (atset1's, xt's). Then
 * the public layer's checks of the set and the count, and a domain that is not running. */
#include "common.h"

#define SETS (VIR_KEYCODE_SET_QNUM + 3)

static int accepted(virDomainPtr d, unsigned set, unsigned code)
{
    return virDomainSendKey(d, set, 0, &code, 1, 0) == 0;
}

static void sweep(virDomainPtr d, unsigned set, unsigned from, unsigned to)
{
    int in_range = 0, errors_shown = 0;
    unsigned start = 0;
    for (unsigned code = from; code <= to + 1; code++) {
        int ok = code <= to && accepted(d, set, code);
        if (!ok && code <= to && errors_shown < 2) {
            char what[64];
            snprintf(what, sizeof(what), "  set %u code %#x", set, code);
            show_error(what);
            errors_shown++;
        }
        if (ok && !in_range)
            start = code, in_range = 1;
        if (!ok && in_range) {
            printf("  set %u accepts %#x-%#x\n", set, start, code - 1);
            in_range = 0;
        }
    }
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainPtr d = c ? virDomainLookupByName(c, "test") : NULL;
    if (!d) {
        show_error("open");
        return 1;
    }
    for (unsigned set = 0; set < SETS; set++) {
        printf("set %u:\n", set);
        sweep(d, set, 0, 0x2ff);
        sweep(d, set, 0xe000, 0xe0ff);
    }
    unsigned keys[] = {0x1d, 0x38, 0x2ff, 0x53};
    printf("ctrl-alt-bad-del: %d\n", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 50, keys, 4, 0));
    show_error("ctrl-alt-bad-del");
    unsigned usb[] = {0xe0, 0xe2, 0x4c};
    printf("usb ctrl-alt-del: %d\n", virDomainSendKey(d, VIR_KEYCODE_SET_USB, 50, usb, 3, 0));
    /* The public layer's checks, in its order: the count, the set, then at most 16 keys. */
    unsigned many[17] = {0};
    printf("no keys, set 10: %d\n", virDomainSendKey(d, 10, 0, many, 0, 0));
    show_error("no keys, set 10");
    printf("17 keys, set 10: %d\n", virDomainSendKey(d, 10, 0, many, 17, 0));
    show_error("17 keys, set 10");
    printf("17 keys, linux: %d\n", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 0, many, 17, 0));
    show_error("17 keys, linux");
    printf("16 keys, linux: %d\n", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 0, many, 16, 0));
    printf("set 10, bad flags: %d\n", virDomainSendKey(d, 10, 0, many, 1, 1));
    show_error("set 10, bad flags");
    virDomainDestroy(d);
    printf("set 10, not running: %d\n", virDomainSendKey(d, 10, 0, many, 1, 0));
    show_error("set 10, not running");
    printf("linux, not running: %d\n", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 0, many, 1, 0));
    show_error("linux, not running");
    virDomainFree(d);
    virConnectClose(c);
    return 0;
}
