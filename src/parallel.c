/* parallel.c — work over [0, n) shared out over threads (parallel.h). */
#include "parallel.h"

#include <pthread.h>

typedef struct {
    ParallelFn fn;
    void *ctx;
    int lo, hi;
} Part;

static void *run_part(void *arg)
{
    Part *p = arg;
    p->fn(p->ctx, p->lo, p->hi);
    return NULL;
}

void parallel_for(int n, int threads, ParallelFn fn, void *ctx)
{
    if (threads > PARALLEL_MAX_THREADS) threads = PARALLEL_MAX_THREADS;
    if (threads < 2 || n < 2 * threads) {
        fn(ctx, 0, n);
        return;
    }
    Part part[PARALLEL_MAX_THREADS];
    pthread_t tid[PARALLEL_MAX_THREADS];
    int started[PARALLEL_MAX_THREADS] = {0};
    for (int k = 0; k < threads; k++)
        part[k] = (Part){fn, ctx, (int)((long long)n * k / threads),
                         (int)((long long)n * (k + 1) / threads)};
    for (int k = 1; k < threads; k++)
        started[k] = pthread_create(&tid[k], NULL, run_part, &part[k]) == 0;
    run_part(&part[0]);
    for (int k = 1; k < threads; k++) {
        if (started[k]) pthread_join(tid[k], NULL);
        else run_part(&part[k]);
    }
}
