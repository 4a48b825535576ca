/*
 * io_uring_cat: completion-based I/O. The reader hands the kernel a read
 * of the pipe through an io_uring submission queue, then goes on with
 * other work and only looks at the completion queue (shared memory, no
 * system call) from time to time (async-nonblocking). Raw system calls,
 * no liburing, so the mechanism is all in view.
 *
 *   sudo ./ipctrace -- .output/demos/io_uring_cat [WRITES [SIZE [GAP_MS]]]
 */
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char buf[65536];

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int ring_init(struct ring *r)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len;
	char *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -1;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Queues one read of fd and tells the kernel, without waiting for it. */
static int submit_read(struct ring *r, int fd, void *dst, unsigned len)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (unsigned long)dst;
	sqe->len = len;
	sqe->off = -1;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, NULL, 0) == 1 ? 0 : -1;
}

/* Looks at the completion queue in shared memory: 1 and *res if a read completed. */
static int reap(struct ring *r, int *res)
{
	unsigned head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	*res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

int main(int argc, char **argv)
{
	long writes = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 4096;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	long total = writes * size, done = 0, reads = 0, work = 0;
	int fds[2], status, res;
	struct ring ring;
	pid_t child;

	if (writes < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds)) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "uring-reader");
		close(fds[1]);
		if (ring_init(&ring)) {
			perror("io_uring_setup");
			return 1;
		}
		while (done < total) {
			if (submit_read(&ring, fds[0], buf, sizeof(buf))) {
				perror("io_uring_enter");
				return 1;
			}
			/* The "other work" is sleeping in 1 ms steps between looks at the queue. */
			while (!reap(&ring, &res)) {
				msleep(1);
				work++;
			}
			if (res <= 0) {
				fprintf(stderr, "read completed with %d\n", res);
				return 1;
			}
			done += res;
			reads++;
		}
		printf("uring-reader (pid %d): read %ld bytes in %ld reads, %ld work steps\n", getpid(),
		       done, reads, work);
		return 0;
	}
	prctl(PR_SET_NAME, "writer");
	close(fds[0]);
	memset(buf, 'w', size);
	for (long i = 0; i < writes; i++) {
		msleep(gap_ms);
		if (write(fds[1], buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	printf("writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), done, writes);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
