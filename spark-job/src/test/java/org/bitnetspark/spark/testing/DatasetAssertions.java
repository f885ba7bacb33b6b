package org.bitnetspark.spark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Comparisons of Datasets for tests: by key, ignoring row order, naming the first difference. */
public final class DatasetAssertions {
  private DatasetAssertions() {}

  /** The rows keyed by a unique column; fails if a key repeats. */
  public static Map<String, Row> byKey(Dataset<Row> ds, String keyColumn) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : ds.collectAsList()) {
      String key = String.valueOf(r.<Object>getAs(keyColumn));
      assertTrue(out.put(key, r) == null, "key " + keyColumn + "=" + key + " appears more than once");
    }
    return out;
  }

  /** Same keys, and the same values in {@code columns} for every key. */
  public static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual, String keyColumn, String... columns) {
    Map<String, Row> e = byKey(expected, keyColumn);
    Map<String, Row> a = byKey(actual, keyColumn);
    assertEquals(e.keySet(), a.keySet(), "the two datasets have different keys");
    List<String> cols = Arrays.asList(columns);
    for (String key : e.keySet()) {
      for (String c : cols) {
        assertEquals(e.get(key).<Object>getAs(c), a.get(key).<Object>getAs(c), "column " + c + " of " + keyColumn + "=" + key);
      }
    }
  }

  public static void assertColumns(Dataset<Row> ds, String... columns) {
    assertEquals(Arrays.asList(columns), Arrays.asList(ds.columns()), "columns");
  }
}
