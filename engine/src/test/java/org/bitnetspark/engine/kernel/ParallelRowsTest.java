package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A hand-off bug hangs rather than fails, hence the timeout. */
@Timeout(120)
class ParallelRowsTest {

  /** Every row exactly once, call after call (workers must not skip or repeat a generation). */
  @Test
  void everyRowRunsExactlyOnceInEveryCall() {
    try (ParallelRows rows = new ParallelRows(3)) {
      for (int n : new int[] {1, 63, 64, 65, 1000, 4097}) {
        for (int call = 0; call < 200; call++) assertEveryRowOnce(rows, n, "call " + call);
      }
    }
  }

  @Test
  void largeMatricesUseTheWorkersAndSmallOnesStayOnTheCaller() {
    try (ParallelRows rows = new ParallelRows(2)) {
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      rows.forRows(1000, (start, end) -> seen.add(Thread.currentThread()));
      assertEquals(2, seen.size(), "two threads for two chunks");
      seen.clear();
      rows.forRows(10, (start, end) -> seen.add(Thread.currentThread()));
      assertEquals(Set.of(Thread.currentThread()), seen);
    }
  }

  /** After the spin the workers park; the next call must wake them, not hang or lose rows. */
  @Test
  void workersWakeAfterParking() throws InterruptedException {
    try (ParallelRows rows = new ParallelRows(2)) {
      for (int i = 0; i < 3; i++) {
        Thread.sleep(ParallelRows.SPIN_NANOS / 1_000_000 * 5);
        assertEveryRowOnce(rows, 500, "after a pause");
      }
    }
  }

  /** A failure in a worker's chunk reaches the caller, and the threads stay usable. */
  @Test
  void aWorkersExceptionIsRethrownToTheCaller() {
    try (ParallelRows rows = new ParallelRows(2)) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> rows.forRows(1000, (start, end) -> {
        if (start > 0) throw boom;
      }));
      assertSame(boom, thrown);
      assertEveryRowOnce(rows, 1000, "after a failure");
    }
  }

  /** A task that splits rows again runs the inner call on its own thread instead of deadlocking. */
  @Test
  void aNestedCallRunsOnTheCallersThread() {
    try (ParallelRows rows = new ParallelRows(2)) {
      AtomicIntegerArray hits = new AtomicIntegerArray(200 * 100);
      rows.forRows(200, (start, end) -> {
        for (int r = start; r < end; r++) {
          int outer = r;
          rows.forRows(100, (s, e) -> {
            for (int c = s; c < e; c++) hits.incrementAndGet(outer * 100 + c);
          });
        }
      });
      for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i));
    }
  }

  @Test
  void callsFromManyThreadsAllComplete() throws InterruptedException {
    try (ParallelRows rows = new ParallelRows(2)) {
      Thread[] callers = new Thread[4];
      AtomicIntegerArray hits = new AtomicIntegerArray(callers.length * 1000);
      for (int t = 0; t < callers.length; t++) {
        int base = t * 1000;
        callers[t] = new Thread(() -> {
          for (int call = 0; call < 50; call++) {
            rows.forRows(1000, (start, end) -> {
              for (int r = start; r < end; r++) hits.incrementAndGet(base + r);
            });
          }
        });
        callers[t].start();
      }
      for (Thread t : callers) t.join(60_000);
      for (int i = 0; i < hits.length(); i++) assertEquals(50, hits.get(i), "row " + i);
    }
  }

  private static void assertEveryRowOnce(ParallelRows rows, int n, String context) {
    AtomicIntegerArray hits = new AtomicIntegerArray(n);
    rows.forRows(n, (start, end) -> {
      for (int r = start; r < end; r++) hits.incrementAndGet(r);
    });
    for (int r = 0; r < n; r++) assertEquals(1, hits.get(r), "row " + r + " of " + n + ", " + context);
  }

  @Test
  void rejectsFewerThanOneThread() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParallelRows(0));
    assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
  }
}
