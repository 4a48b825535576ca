/*
 * mmap_file: two processes map the same regular file MAP_SHARED. The
 * writer stores a record in the mapping and then writes one byte to a pipe
 * to say "ready"; the reader waits on the pipe and loads the record from
 * its own mapping. The data never passes through a system call: only the
 * mappings and the pipe's tokens are visible to the kernel.
 *
 *   sudo ./ipctrace -- .output/demos/mmap_file [RECORDS [SIZE [GAP_MS]]]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define MAP_LEN 65536

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char *map_file(const char *path)
{
	int fd = open(path, O_RDWR);
	char *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
	long records = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 1024;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	char path[] = "/tmp/mmap_file.XXXXXX", copy[MAP_LEN], token = 'r';
	long bytes = 0;
	int fd, ready[2], status;
	char *map;
	pid_t child;

	if (records < 1 || size < 1 || size > MAP_LEN) {
		fprintf(stderr, "usage: %s [RECORDS [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, MAP_LEN) || pipe(ready)) {
		perror("mkstemp/ftruncate/pipe");
		return 1;
	}
	close(fd);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	map = map_file(path);
	if (!map) {
		perror("mmap");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "map-reader");
		close(ready[1]);
		for (long i = 0; i < records; i++) {
			if (read(ready[0], &token, 1) != 1) {
				perror("read");
				return 1;
			}
			memcpy(copy, map, size);
			bytes += size;
		}
		munmap(map, MAP_LEN);
		printf("map-reader (pid %d): loaded %ld bytes in %ld records from %s\n", getpid(),
		       bytes, records, path);
		return 0;
	}
	prctl(PR_SET_NAME, "map-writer");
	close(ready[0]);
	for (long i = 0; i < records; i++) {
		msleep(gap_ms);
		memset(map, 'a' + i % 26, size);
		bytes += size;
		if (write(ready[1], &token, 1) != 1) {
			perror("write");
			return 1;
		}
	}
	close(ready[1]);
	waitpid(child, &status, 0);
	munmap(map, MAP_LEN);
	unlink(path);
	printf("map-writer (pid %d): stored %ld bytes in %ld records in %s\n", getpid(), bytes,
	       records, path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
