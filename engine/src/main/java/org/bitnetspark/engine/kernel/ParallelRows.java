package org.bitnetspark.engine.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The one place work is split across threads. Matrix rows are independent, so threads split rows;
 * splitting columns would need a reduction. One instance per engine; {@code threads = 1} runs on the
 * caller's thread with no workers at all.
 *
 * <p>The workers spin between calls, for up to {@link #SPIN_NANOS}, before they park. A decode step
 * hands out about seven matrices per layer, each only tens of microseconds of work, with short serial
 * stretches (norms, attention) between them. Waking a parked thread took 50-65 µs a hand-off on the
 * 2-vCPU KVM machines (a pool's submit and join, measured against a spinning hand-off's 1-2 µs): as
 * long as the work itself, so two threads decoded barely faster than one. A worker idle for longer
 * than the spin parks and costs nothing; the first call after that pays one wake-up.
 *
 * <p>One call at a time uses the workers; a call that finds them busy (another thread's, or a task
 * calling back in) runs on its own thread, which is correct and uses no more cores than there are.
 */
public final class ParallelRows implements AutoCloseable {
  /** Work on rows [start, end). */
  @FunctionalInterface
  public interface RowTask {
    void run(int start, int end);
  }

  /** How long an idle worker spins before it parks: longer than the serial parts of a decode step. */
  static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  static final int MIN_MATRIX_ROWS = 64;

  private final int threads;
  private final Worker[] workers;
  /** Held by the call using the workers; not reentrant, so that a task calling back in runs inline. */
  private final AtomicBoolean busy = new AtomicBoolean();
  /** Bumped once per call that uses the workers; a worker runs each generation once. */
  private volatile long generation;
  private volatile RowTask task;
  private volatile int rows;
  private volatile boolean closed;

  public ParallelRows(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i + 1);
      workers[i].thread.start();
    }
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs {@code task} over [0, rows) in {@code threads} contiguous chunks and waits; matrices of fewer
   * than {@value #MIN_MATRIX_ROWS} rows are not worth a hand-off and run on the caller's thread.
   */
  public void forRows(int rows, RowTask task) {
    forRows(rows, MIN_MATRIX_ROWS, task);
  }

  /** {@link #forRows(int, RowTask)} for items bigger than a matrix row: split from {@code minItems} on. */
  public void forRows(int rows, int minItems, RowTask task) {
    if (workers.length == 0 || rows < Math.max(2, minItems) || !busy.compareAndSet(false, true)) {
      task.run(0, rows);
      return;
    }
    try {
      if (closed) throw new IllegalStateException("the row threads were closed");
      this.task = task;
      this.rows = rows;
      long g = ++generation; // only the lock holder writes it
      for (Worker w : workers) {
        if (w.parked) LockSupport.unpark(w.thread);
      }
      Throwable failure = null;
      try {
        task.run(0, chunkStart(0, rows));
      } catch (Throwable t) {
        failure = t;
      }
      for (Worker w : workers) {
        for (int spins = 1; w.done != g; spins++) pause(spins);
        if (w.failure != null) {
          if (failure == null) failure = w.failure;
          else failure.addSuppressed(w.failure);
          w.failure = null;
        }
      }
      this.task = null; // let the closure's arrays go
      if (failure instanceof RuntimeException e) throw e;
      if (failure instanceof Error e) throw e;
      if (failure != null) throw new IllegalStateException(failure);
    } finally {
      busy.set(false);
    }
  }

  /**
   * One round of a spin wait: mostly the CPU's pause hint, and every 64th round a yield, so that a
   * machine with more runnable threads than cores (other tasks, the JIT, the collector) still runs the
   * thread being waited for.
   */
  private static void pause(int spins) {
    if ((spins & 63) == 0) Thread.yield();
    else Thread.onSpinWait();
  }

  /** The first row of chunk {@code c + 1}, that is, where chunk {@code c} ends. */
  private int chunkStart(int c, int rows) {
    return (int) ((long) rows * (c + 1) / threads);
  }

  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) LockSupport.unpark(w.thread);
  }

  /** Runs chunk {@code index} of every generation. */
  private final class Worker implements Runnable {
    final int index;
    final Thread thread;
    volatile long done;
    volatile boolean parked;
    /** Set before {@link #done}; read and cleared by the caller after it sees {@code done}. */
    Throwable failure;

    Worker(int index) {
      this.index = index;
      this.thread = new Thread(this, "bitnet-rows-" + index);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      long seen = 0;
      while (true) {
        long g = awaitGeneration(seen);
        if (g < 0) return;
        seen = g;
        int n = rows;
        try {
          task.run(chunkStart(index - 1, n), chunkStart(index, n));
        } catch (Throwable t) {
          failure = t;
        }
        done = g;
      }
    }

    /** The next generation after {@code seen}, or -1 once closed: spins, then parks. */
    private long awaitGeneration(long seen) {
      long spinStart = System.nanoTime();
      int spins = 0;
      while (true) {
        long g = generation;
        if (g != seen) return g;
        if (closed) return -1;
        if ((++spins & 63) != 0 || System.nanoTime() - spinStart < SPIN_NANOS) {
          pause(spins);
          continue;
        }
        // announce the park, then look again: a caller that bumped the generation before the flag was
        // set is caught by this second look; one that bumps it later sees the flag and unparks
        parked = true;
        if (generation == seen && !closed) LockSupport.park(this);
        parked = false;
        spinStart = System.nanoTime();
      }
    }
  }
}
