/* tcpfsm_fields.h - the one list of tshark fields the engine reads.
 *
 * X(ID, "tshark.field.name", REQUIRED)
 *   ID        symbolic name (TCPFSM_F_<ID>)
 *   name      the tshark field, as typed after `-e` and shown in a
 *             `-T fields -E header=y` header
 *   REQUIRED  1 when a TSV without this column cannot be annotated
 *
 * Expanded three times: the tool's `-e` list and header check, the
 * plugin's wanted-hfid table, and the documentation test that keeps the
 * README's `tcpfsm fields` output honest.
 *
 * Addresses: at least one of ip.src/ip.dst or ipv6.src/ipv6.dst must be
 * present; both pairs are optional on their own.  frame.protocols tells
 * which IP header is the innermost when both occur (tunnels), and marks a
 * TCP header quoted inside an ICMP error, which is not a segment.
 * frame.len and frame.cap_len tell how much of the payload was captured
 * (Zeek's content-gap letters depend on it).
 */
#ifndef TCPFSM_FIELDS_H
#define TCPFSM_FIELDS_H

#define TCPFSM_INPUT_FIELDS(X)                         \
    X(FRAME_NUMBER, "frame.number", 1)                 \
    X(TIME_EPOCH, "frame.time_epoch", 0)               \
    X(STREAM, "tcp.stream", 0)                         \
    X(IP_SRC, "ip.src", 0)                             \
    X(IP_DST, "ip.dst", 0)                             \
    X(IPV6_SRC, "ipv6.src", 0)                         \
    X(IPV6_DST, "ipv6.dst", 0)                         \
    X(SRCPORT, "tcp.srcport", 1)                       \
    X(DSTPORT, "tcp.dstport", 1)                       \
    X(FLAGS, "tcp.flags", 1)                           \
    X(SEQ_RAW, "tcp.seq_raw", 1)                       \
    X(ACK_RAW, "tcp.ack_raw", 1)                       \
    X(LEN, "tcp.len", 1)                               \
    X(WINDOW_VALUE, "tcp.window_size_value", 0)        \
    X(WINDOW_SIZE, "tcp.window_size", 0)               \
    X(CHECKSUM_STATUS, "tcp.checksum.status", 0)      \
    X(PROTOCOLS, "frame.protocols", 0)                \
    X(FRAME_LEN, "frame.len", 0)                      \
    X(FRAME_CAP_LEN, "frame.cap_len", 0)

enum tcpfsm_field_id {
#define TCPFSM_X_ENUM(id, name, req) TCPFSM_F_##id,
    TCPFSM_INPUT_FIELDS(TCPFSM_X_ENUM)
#undef TCPFSM_X_ENUM
    TCPFSM_F_COUNT
};

#endif
