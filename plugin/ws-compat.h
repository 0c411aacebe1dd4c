/* ws-compat.h - the Wireshark API differences between the branches the
 * plugin supports: 4.0 (Debian 12), 4.2 (built, untested: no Debian
 * release ships it), 4.4 (Debian 13) and 4.6 (Debian unstable).
 *
 * Keyed on the version of the headers the plugin is compiled against
 * (ws_version.h); the plugin only loads into that same X.Y
 * (plugin_want_major/minor), so a compile-time choice is the right one.
 * Every difference the plugin meets is here, named after what changed:
 *
 *   field values   field_info.value is an fvalue_t up to 4.0, a pointer
 *                  from 4.2 (&fi->value compiles on 4.2+ with a warning
 *                  only, then crashes): TCPFSM_FI_VALUE(fi)
 *   IPv4 / IPv6    4.0 reads the fvalue's union; 4.4 has fvalue_get_ipv4
 *                  and fvalue_get_ipv6 returning ipv4_addr_and_mask /
 *                  ipv6_addr_and_prefix; 4.2 has neither getter in that
 *                  form, so there the address is read from the field's
 *                  own bytes in the frame (what the value was made of):
 *                  tcpfsm_fi_ipv4(), tcpfsm_fi_ipv6()
 *   preferences    a boolean preference is a gboolean up to 4.2, a bool
 *                  from 4.4: tcpfsm_pref_bool
 *   stats tap init the -z init callback returns void up to 4.4, bool
 *                  (false: bad argument) from 4.6: TCPFSM_TAP_INIT_RET,
 *                  TCPFSM_TAP_INIT_OK, TCPFSM_TAP_INIT_FAIL
 *   plugin type    plugin_describe() from 4.4 (without it 4.4+ lists the
 *                  plugin's type as "unknown"), where wsutil/plugins.h
 *                  defines the type bits: TCPFSM_WS_HAS_DESCRIBE
 *   Flow Graph     epan/sequence_analysis.h (never installed) has one
 *                  layout per branch: tcpfsm-flow.c pins them.
 */
#ifndef TCPFSM_WS_COMPAT_H
#define TCPFSM_WS_COMPAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>

#define TCPFSM_WS_AT_LEAST(maj, min)                                                     \
    (WIRESHARK_VERSION_MAJOR > (maj) ||                                                  \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* The branches this file knows (CMakeLists.txt refuses the others before
 * compiling; this is the second lock). */
#if !(WIRESHARK_VERSION_MAJOR == 4 &&                                                    \
      (WIRESHARK_VERSION_MINOR == 0 || WIRESHARK_VERSION_MINOR == 2 ||                   \
       WIRESHARK_VERSION_MINOR == 4 || WIRESHARK_VERSION_MINOR == 6))
#error "tcpfsm's plugin supports Wireshark 4.0, 4.2, 4.4 and 4.6 only (see plugin/ws-compat.h)"
#endif

/* ---- field values ---- */
#if TCPFSM_WS_AT_LEAST(4, 2)
#define TCPFSM_FI_VALUE(fi) ((fi)->value)
#else
#define TCPFSM_FI_VALUE(fi) (&(fi)->value)
#endif

/* The IPv4 address of an FT_IPv4 field, host order. */
static inline uint32_t tcpfsm_fi_ipv4(field_info *fi)
{
#if TCPFSM_WS_AT_LEAST(4, 4)
    return fvalue_get_ipv4(fi->value)->addr;
#elif TCPFSM_WS_AT_LEAST(4, 2)
    /* the 4 bytes of the field in its tvb (network order) */
    return (fi->ds_tvb && fi->length == 4) ? tvb_get_ntohl(fi->ds_tvb, fi->start) : 0;
#else
    return fi->value.value.ipv4.addr;
#endif
}

/* The 16 bytes of an FT_IPv6 field into out; false when unreadable. */
static inline bool tcpfsm_fi_ipv6(field_info *fi, uint8_t out[16])
{
#if TCPFSM_WS_AT_LEAST(4, 4)
    memcpy(out, fvalue_get_ipv6(fi->value)->addr.bytes, 16);
    return true;
#elif TCPFSM_WS_AT_LEAST(4, 2)
    if (!fi->ds_tvb || fi->length != 16)
        return false;
    tvb_memcpy(fi->ds_tvb, out, fi->start, 16);
    return true;
#else
    memcpy(out, fi->value.value.ipv6.addr.bytes, 16);
    return true;
#endif
}

/* ---- preferences ---- */
#if TCPFSM_WS_AT_LEAST(4, 4)
typedef bool tcpfsm_pref_bool;
#else
typedef gboolean tcpfsm_pref_bool;
#endif

/* ---- the -z init callback of a stat_tap_ui ---- */
#if TCPFSM_WS_AT_LEAST(4, 6)
#define TCPFSM_TAP_INIT_RET bool
#define TCPFSM_TAP_INIT_OK return true
#define TCPFSM_TAP_INIT_FAIL return false
#else
#define TCPFSM_TAP_INIT_RET void
#define TCPFSM_TAP_INIT_OK return
/* before 4.6 the caller cannot be told: tshark's own taps exit */
#define TCPFSM_TAP_INIT_FAIL exit(1)
#endif

/* ---- plugin_describe: where wsutil/plugins.h has the type bits (4.4
 * and 4.6 do; 4.0 does not install the header; whatever 4.2 has decides
 * for it) ---- */
#if TCPFSM_WS_AT_LEAST(4, 2) && defined(__has_include)
#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif
#endif
#ifdef WS_PLUGIN_DESC_DISSECTOR
#define TCPFSM_WS_HAS_DESCRIBE 1
#define TCPFSM_WS_DESCRIPTION (WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER)
#else
#define TCPFSM_WS_HAS_DESCRIBE 0
#endif

#endif
