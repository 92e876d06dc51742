/*
 * echo_load: a load generator for bench/respond/respond_rate.py that costs less CPU per echo than iputils ping -f,
 * so that more of the machine is left to the responder under test.
 *
 *   echo_load TARGET COUNT WINDOW
 *
 * Sends COUNT ICMP echo requests with 56 data bytes (a 64-byte ICMP message, as `ping -s 56`) to the IPv4 address
 * TARGET, keeping WINDOW of them in flight: one new request for every reply, sent in batches with sendmmsg(2) and
 * received in batches with recvmmsg(2). It uses an ICMP datagram socket (the kernel sets the identifier, fills in
 * the checksum and hands this socket only its own replies, so parallel instances do not see each other's traffic);
 * the caller allows it in its own namespace with net.ipv4.ping_group_range. It stops when every request is
 * answered, or when no reply came for 1 s (then the count says what was lost). Prints one line:
 *   sent S received R time_us T
 * Exit code 0 when R == COUNT, 1 when replies were missing, 2 on bad arguments or a failed system call.
 * Built by respond_rate.py with `cc -O2`; standard C and Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define ICMP_LENGTH 64 /* 8-byte header + 56 data bytes */

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    if (argc != 4)
    {
        fprintf(stderr, "usage: echo_load TARGET COUNT WINDOW\n");
        return 2;
    }
    struct sockaddr_in target = {.sin_family = AF_INET};
    long count = strtol(argv[2], NULL, 10), window = strtol(argv[3], NULL, 10);
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1 || count < 1 || count > 100000000 || window < 1 || window > 4096)
    {
        fprintf(stderr, "echo_load: give an IPv4 TARGET, COUNT 1..100000000, WINDOW 1..4096\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0)
    {
        perror("echo_load: ICMP datagram socket (is the group in net.ipv4.ping_group_range?)");
        return 2;
    }
    int buffer = 4 << 20;
    struct timeval patience = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    if (connect(fd, (struct sockaddr *)&target, sizeof target) != 0)
    {
        perror("echo_load: connect");
        return 2;
    }

    static unsigned char out[BATCH][ICMP_LENGTH], in[BATCH][ICMP_LENGTH + 64];
    struct iovec out_iov[BATCH], in_iov[BATCH];
    struct mmsghdr out_msg[BATCH], in_msg[BATCH];
    memset(out_msg, 0, sizeof out_msg);
    memset(in_msg, 0, sizeof in_msg);
    for (int i = 0; i < BATCH; i++)
    {
        memset(out[i], 0, ICMP_LENGTH);
        out[i][0] = 8; /* echo request (RFC 792); code, checksum and identifier 0: the kernel fills them in */
        for (int k = 8; k < ICMP_LENGTH; k++)
            out[i][k] = (unsigned char)k;
        out_iov[i] = (struct iovec){out[i], ICMP_LENGTH};
        out_msg[i].msg_hdr.msg_iov = &out_iov[i];
        out_msg[i].msg_hdr.msg_iovlen = 1;
        in_iov[i] = (struct iovec){in[i], sizeof in[i]};
        in_msg[i].msg_hdr.msg_iov = &in_iov[i];
        in_msg[i].msg_hdr.msg_iovlen = 1;
    }

    long sent = 0, received = 0, credit = window < count ? window : count;
    long long start = now_us();
    for (;;)
    {
        /* Send what the window allows, BATCH at a time. */
        while (credit > 0)
        {
            int n = credit < BATCH ? (int)credit : BATCH;
            for (int i = 0; i < n; i++)
            {
                uint16_t sequence = htons((uint16_t)(sent + i));
                memcpy(out[i] + 6, &sequence, 2);
            }
            int done = sendmmsg(fd, out_msg, n, 0);
            if (done < 0)
            {
                if (errno == EINTR)
                    continue;
                perror("echo_load: sendmmsg");
                return 2;
            }
            sent += done;
            credit -= done;
        }
        if (received >= sent)
            break;
        /* Wait for at least one reply, take whatever else is queued. */
        int n = recvmmsg(fd, in_msg, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break; /* 1 s without a reply: the rest is lost */
            perror("echo_load: recvmmsg");
            return 2;
        }
        for (int i = 0; i < n; i++)
        {
            if (in_msg[i].msg_len >= 8 && in[i][0] == 0) /* echo reply */
            {
                received++;
                if (sent + credit < count) /* one new request per reply, never more than COUNT in all */
                    credit++;
            }
        }
    }
    long long elapsed = now_us() - start;
    printf("sent %ld received %ld time_us %lld\n", sent, received, elapsed);
    return received == count ? 0 : 1;
}
