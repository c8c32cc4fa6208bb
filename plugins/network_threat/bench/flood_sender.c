/*
 * A packet generator for the network_threat benchmark and tests: TCP SYN,
 * UDP or ICMP echo packets to DST as fast as the machine allows (or at a
 * given rate), from one source address or from random spoofed sources, sent
 * in batches through a raw socket with sendmmsg(). Prints {"sent":N,"pps":X}.
 *
 *   flood_sender syn|udp|icmp DST PORT SECONDS [RATE|0] [SRC|random|pool:N] [PORTS] [MAX_PACKETS]
 *
 * random: sources anywhere in 198.18.0.0/15 (a spoofed flood); pool:N: N
 * sources 198.19.x.y (many scanners at once).
 * PORTS > 1 spreads the destination port over PORT..PORT+PORTS-1 (probes of
 * many closed ports). Needs CAP_NET_RAW (run it in a test namespace).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PKT 64

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint16_t csum(const void* data, size_t len, uint32_t sum) {
    const uint8_t* p = data;
    for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1) sum += (uint32_t)(p[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t rnd(void) {
    static uint32_t x = 2463534242u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* Builds one packet into buf; returns its length. */
static size_t build(uint8_t* buf, int kind, uint32_t src, uint32_t dst, uint16_t dport) {
    size_t l4 = kind == 0 ? 20 : 8;
    memset(buf, 0, PKT);
    buf[0] = 0x45;
    uint16_t total = (uint16_t)(20 + l4);
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    buf[8] = 64;
    buf[9] = kind == 0 ? 6 : kind == 1 ? 17 : 1;
    memcpy(buf + 12, &src, 4);
    memcpy(buf + 16, &dst, 4);
    uint8_t* t = buf + 20;
    uint16_t sport = (uint16_t)(1024 + rnd() % 60000);
    if (kind == 2) {
        t[0] = 8;
        t[4] = 0x12;
        t[7] = (uint8_t)rnd();
        uint16_t c = csum(t, 8, 0);
        t[2] = (uint8_t)(c >> 8);
        t[3] = (uint8_t)c;
        return total;
    }
    t[0] = (uint8_t)(sport >> 8);
    t[1] = (uint8_t)sport;
    t[2] = (uint8_t)(dport >> 8);
    t[3] = (uint8_t)dport;
    if (kind == 0) {
        uint32_t seq = rnd();
        memcpy(t + 4, &seq, 4);
        t[12] = 5 << 4;
        t[13] = 0x02;
        t[14] = 0x04; /* window 1024 */
    } else {
        t[4] = 0;
        t[5] = 8;
    }
    /* Pseudo-header sum for TCP/UDP. */
    uint32_t sum = 0;
    const uint8_t* s = (const uint8_t*)&src;
    const uint8_t* d = (const uint8_t*)&dst;
    sum += (uint32_t)(s[0] << 8 | s[1]) + (uint32_t)(s[2] << 8 | s[3]);
    sum += (uint32_t)(d[0] << 8 | d[1]) + (uint32_t)(d[2] << 8 | d[3]);
    sum += buf[9] + (uint32_t)l4;
    uint16_t c = csum(t, l4, sum);
    size_t at = kind == 0 ? 16 : 6;
    t[at] = (uint8_t)(c >> 8);
    t[at + 1] = (uint8_t)c;
    return total;
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s syn|udp|icmp DST PORT SECONDS [RATE|0] [SRC|random] [PORTS]\n", argv[0]);
        return 2;
    }
    int kind = strcmp(argv[1], "syn") == 0 ? 0 : strcmp(argv[1], "udp") == 0 ? 1 : 2;
    struct in_addr dst_in, src_in = {0};
    if (inet_pton(AF_INET, argv[2], &dst_in) != 1) return 2;
    int port = atoi(argv[3]);
    double seconds = atof(argv[4]);
    double rate = argc > 5 ? atof(argv[5]) : 0;
    int random_src = argc > 6 && strcmp(argv[6], "random") == 0;
    uint32_t pool = argc > 6 && strncmp(argv[6], "pool:", 5) == 0 ? (uint32_t)atoi(argv[6] + 5) : 0;
    if (argc > 6 && !random_src && !pool && inet_pton(AF_INET, argv[6], &src_in) != 1) return 2;
    int ports = argc > 7 ? atoi(argv[7]) : 1;
    if (ports < 1) ports = 1;
    uint64_t max_packets = argc > 8 ? strtoull(argv[8], NULL, 10) : 0;
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    static uint8_t bufs[BATCH][PKT];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst_in};
    memset(msgs, 0, sizeof msgs);
    uint64_t sent = 0;
    double start = now_s(), end = start + seconds;
    while (now_s() < end && (!max_packets || sent < max_packets)) {
        for (int i = 0; i < BATCH; ++i) {
            uint32_t src = src_in.s_addr;
            if (random_src) src = htonl(0xc6120000u | (rnd() & 0x1ffff)); /* 198.18.0.0/15 */
            if (pool) {
                uint32_t k = rnd() % pool;
                src = htonl(0xc6130000u | ((k / 254) << 8) | (k % 254 + 1)); /* 198.19.x.y */
            }
            uint16_t dport = (uint16_t)(port + (ports > 1 ? (int)(rnd() % (uint32_t)ports) : 0));
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = build(bufs[i], kind, src, dst_in.s_addr, dport);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &to;
            msgs[i].msg_hdr.msg_namelen = sizeof to;
        }
        int n = sendmmsg(fd, msgs, BATCH, 0);
        if (n > 0) sent += (uint64_t)n;
        if (rate > 0) {
            double due = start + (double)sent / rate;
            double wait = due - now_s();
            if (wait > 0) usleep((useconds_t)(wait * 1e6));
        }
    }
    double took = now_s() - start;
    printf("{\"sent\":%llu,\"seconds\":%.2f,\"pps\":%.0f}\n", (unsigned long long)sent, took, (double)sent / took);
    close(fd);
    return 0;
}
