/* messages.h - the sentences of the `label` field, one row per message,
 * every language side by side (engine-private; the public language API is
 * tcpfsm_lang.h).
 *
 * X(ID, "English", "中文")
 *
 * Each row's formats take the same arguments, of the same types, in the
 * same order (the unit test `lang` compares their conversions); a
 * translation may reorder them with %N$ positions as long as it uses every
 * one.  A leading %s in a step message is the step title ("Handshake 1/3",
 * "第一次握手"), built by tcpfsm_lang_title().  English is the reference:
 * its sentences are a public interface (golden files), change them only
 * with a changelog note.
 *
 * Chinese: the usual textbook vocabulary (握手/挥手, 主动关闭/被动关闭);
 * protocol words (SYN, ACK, FIN, RST, ISN, seq, ack) and state names stay
 * as in RFC 9293, with their glosses where a state is named
 * (tcpfsm_state_text()).
 */
#ifndef TCPFSM_MESSAGES_H
#define TCPFSM_MESSAGES_H

#include <stddef.h>

#define TCPFSM_MESSAGES(X)                                                    \
    /* ---- handshake ---- */                                                 \
    X(SYN, "%s: SYN, client ISN %u",                                          \
      "%s：SYN，客户端 ISN %u")                                                \
    X(SYN_RETX, "%s: SYN retransmitted (same ISN %u)",                        \
      "%s：SYN 重传（ISN 不变，%u）")                                           \
    X(SYN_NEW_ISN, "SYN with a new ISN %u on a connection whose %s ISN is "  \
      "%u: not a new connection yet",                                         \
      "SYN 带来新的 ISN %u，而本连接%s的 ISN 是 %u：尚不算新连接")               \
    X(SYN_REORDERED, "%s: SYN, client ISN %u, captured after its SYN-ACK "   \
      "(reordered)",                                                          \
      "%s：SYN，客户端 ISN %u，在其 SYN-ACK 之后才被捕获（乱序）")               \
    X(SYN_SIM_OPEN, "%s: SYN from the server, ISN %u, crossing the client's " \
      "SYN (the server was not listening: it opened too)",                    \
      "%s：服务器发出 SYN，ISN %u，与客户端的 SYN 交叉（服务器并未监听，"        \
      "它也在主动打开）")                                                      \
    X(SYN_MIDDLE, "SYN from the %s in the middle of a connection (ISN %u)",   \
      "%s在连接中途发出 SYN（ISN %u）")                                         \
    X(SYNACK_RETX, "%s: SYN-ACK retransmitted (same ISN %u)",                 \
      "%s：SYN-ACK 重传（ISN 不变，%u）")                                       \
    X(SYNACK_NEW_ISN, "SYN-ACK with a new ISN %u (the %s's ISN is %u)",       \
      "SYN-ACK 带来新的 ISN %u（%s的 ISN 是 %u）")                              \
    X(SYNACK_SIM_OPEN, "%s: SYN-ACK from the %s, ack %u %s %s ISN %u + 1 %s", \
      "%s：%s发出 SYN-ACK，ack %u %s %s ISN %u + 1 %s")                        \
    X(SYNACK_OPENER, "SYN-ACK from the %s, which opened this connection",     \
      "%s发出 SYN-ACK，而本连接正是由它发起的")                                  \
    X(SYNACK_NO_SYN, "%s: SYN-ACK, server ISN %u (the client's SYN was not "  \
      "captured; its ISN would be %u)",                                       \
      "%s：SYN-ACK，服务器 ISN %u（未捕获到客户端的 SYN，其 ISN 应为 %u）")      \
    X(SYNACK, "%s: SYN-ACK, ack %u %s client ISN %u + 1 %s",                  \
      "%s：SYN-ACK，ack %u %s 客户端 ISN %u + 1 %s")                            \
    X(SYNACK_TFO, "%s: SYN-ACK, ack %u = client ISN %u + 1 + %u bytes of "  \
      "SYN data ✓ (TCP Fast Open: the data is accepted)",                     \
      "%s：SYN-ACK，ack %u = 客户端 ISN %u + 1 + SYN 数据 %u 字节 ✓"           \
      "（TCP Fast Open：数据被接受）")                                          \
    X(HSACK_OK, "%s: ACK, ack %u = server ISN %u + 1 ✓",                      \
      "%s：ACK，ack %u = 服务器 ISN %u + 1 ✓")                                  \
    X(HSACK_INFERRED, "%s: ACK, ack %u: the client has the server's SYN "    \
      "(server ISN %u + 1; the SYN-ACK is not in the capture, inferred)",     \
      "%s：ACK，ack %u：客户端已收到服务器的 SYN（服务器 ISN %u + 1；"          \
      "SYN-ACK 不在捕获中，推断）")                                              \
    X(HSACK_DATA, ", with %u bytes of data",                                  \
      "，携带 %u 字节数据")                                                     \
    X(HSACK_BAD, "%s expected, but ack %u ≠ server ISN %u + 1 ✗",             \
      "此处应为%s，但 ack %u ≠ 服务器 ISN %u + 1 ✗")                             \
    /* ---- resets ---- */                                                    \
    X(RST_WHY_NOACK, "in SYN_SENT an RST must acknowledge the SYN",           \
      "在 SYN_SENT（同步已发送）状态下，RST 必须确认 SYN")                        \
    X(RST_WHY_ACK, "ack %u ≠ %s ISN %u + 1",                                  \
      "ack %u ≠ %s ISN %u + 1")                                               \
    X(RST_WHY_WINDOW, "seq %u outside the %s's window %u..%u",                \
      "seq %u 不在%s的接收窗口 %u..%u 内")                                       \
    X(RST_IGNORED, "RST from the %s ignored: %s",                             \
      "%s发出的 RST 被忽略：%s")                                                \
    X(REFUSED_OK, "Refused: RST answers the SYN, ack %u = client ISN %u + 1 " \
      "✓ (nothing listens on port %u)",                                       \
      "连接被拒绝：RST 回应 SYN，ack %u = 客户端 ISN %u + 1 ✓（端口 %u 无人监听）") \
    X(RESET, "Reset: RST from the %s, seq %u",                                \
      "连接重置：%s发出 RST，seq %u")                                           \
    X(RESET_AFTER_FINS, " (after both FINs)",                                 \
      "（在双方的 FIN 之后）")                                                  \
    /* ---- teardown ---- */                                                  \
    X(FIN_RETX, "%s: FIN from the %s retransmitted (same seq %u)",            \
      "%s：%s的 FIN 重传（seq 不变，%u）")                                       \
    X(FIN_AGAIN, "Another FIN from the %s at seq %u (its FIN was at %u)",     \
      "%s又发出一个 FIN，seq %u（其 FIN 原在 %u）")                              \
    X(FIN1, "%s: FIN from the %s (active close), seq %u",                     \
      "%s：%s发出 FIN（主动关闭），seq %u")                                      \
    X(FIN2_MERGED, "%s: FIN+ACK from the %s (passive close, merged with the " \
      "ACK of the %s's FIN), ack %u %s FIN seq %u + 1 %s",                    \
      "%s：%s发出 FIN+ACK（被动关闭，同时确认%s的 FIN），"                       \
      "ack %u %s FIN seq %u + 1 %s")                                          \
    X(FIN2, "%s: FIN from the %s (passive close), seq %u",                    \
      "%s：%s发出 FIN（被动关闭），seq %u")                                      \
    X(FIN_SIM, "%s: FIN from the %s, seq %u, crossing the %s's FIN (it does " \
      "not acknowledge FIN seq %u)",                                          \
      "%s：%s发出 FIN，seq %u，与%s的 FIN 交叉（未确认 FIN seq %u）")            \
    X(FIN_ACK, "%s: ACK of the %s's FIN, ack %u %s FIN seq %u + 1 %s",        \
      "%s：ACK 确认%s的 FIN，ack %u %s FIN seq %u + 1 %s")                      \
    /* ---- data, bare ACKs, bad segments ---- */                             \
    X(DATA, "Data from the %s, %u bytes, seq %u",                             \
      "%s发送数据，%u 字节，seq %u")                                             \
    X(ACK, "ACK from the %s, ack %u",                                         \
      "%s发出 ACK，ack %u")                                                    \
    X(BAD_FLAGS, "Invalid flag combination %s: dropped by the receiver",      \
      "非法的标志组合 %s：接收方将其丢弃")                                        \
    X(NO_ACK, "%s without ACK: a synchronized receiver drops it "             \
      "(RFC 9293 3.10.7.4)",                                                  \
      "%s 未带 ACK：已同步的接收方将其丢弃（RFC 9293 3.10.7.4）")                \
    X(NO_FLAGS, "no flags", "无标志")                                          \
    /* ---- the moves ---- */                                                 \
    X(MOVES, " — ", " — ")                                                    \
    X(MOVE, "%s %s → %s", "%s %s → %s")                                       \
    X(LIST_SEP, ", ", "，")                                                    \
    X(NO_CHANGE, "no state change", "状态不变")                                \
    X(TIME_WAIT, "; the %s waits 2 MSL in TIME_WAIT (its end is not visible " \
      "in a capture)",                                                        \
      "；%s在 TIME_WAIT 中等待 2MSL（其结束在捕获中不可见）")                    \
    /* ---- notes ---- */                                                     \
    X(NOTE_MIDSTREAM, "; capture starts mid-connection: states unknown",      \
      "；捕获始于连接中途：状态未知")                                            \
    X(NOTE_PORT_REUSE, "; port reuse: a new connection on a used 4-tuple",    \
      "；端口复用：在用过的四元组上建立的新连接")                                 \
    X(NOTE_SYN_DATA, "; SYN carries %u bytes of data",                        \
      "；SYN 携带 %u 字节数据")                                                 \
    X(NOTE_RETX, "; retransmission", "；重传")                                 \
    X(NOTE_INFERRED, "; only a synchronized %s sends this: the segments "    \
      "that synchronized it are not in the capture (inferred)",               \
      "；只有已同步的%s才会发出此报文：使其同步的报文不在捕获中（推断）")           \
    X(NOTE_REORDERED, "; reordered: the %s acknowledged it before it was "   \
      "captured",                                                             \
      "；乱序：%s在它被捕获之前就已确认")                                        \
    X(NOTE_DATA_AFTER_FIN, "; data after the %s's own FIN",                   \
      "；%s在自己的 FIN 之后仍发送数据")                                         \
    X(NOTE_PEER_CLOSED, "; the %s is CLOSED",                                 \
      "；%s已处于 CLOSED（关闭）")

enum tcpfsm_msg_id {
#define TCPFSM_X_MSG_ID(id, en, zh) TCPFSM_M_##id,
    TCPFSM_MESSAGES(TCPFSM_X_MSG_ID)
#undef TCPFSM_X_MSG_ID
    TCPFSM_M_COUNT
};

/* The format of message `id` in `lang` (English when lang is unknown). */
const char *tcpfsm_lang_msg(int lang, int id);

/* Writes the title of step num/of of a `kind` (tcpfsm_title) sequence,
 * of steps num..last when one segment is several ("Teardown 2+3/4",
 * 第二、三次挥手合并; last < num: last = num); "Refused" and "Reset" take
 * no numbers; "" for TCPFSM_T_NONE.  Returns buf. */
char *tcpfsm_lang_title(int lang, int kind, unsigned num, unsigned last,
                        unsigned of, char *buf, size_t size);
/* The step numbers: "2/3", "2+3/4" (steps num..last of of); returns
 * buf. */
char *tcpfsm_step_nums(unsigned num, unsigned last, unsigned of, char *buf,
                       size_t size);

#endif
