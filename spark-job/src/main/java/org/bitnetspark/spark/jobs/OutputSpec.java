package org.bitnetspark.spark.jobs;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Where the results go, always through Spark's writers and commit protocol (a retried task never
 * duplicates rows).
 *
 * @param path output directory (for {@code table}: the table name)
 * @param format parquet, json or table
 * @param mode error (the default: never overwrite by accident), overwrite, append or ignore
 * @param statsPath where the statistics JSON goes; null means next to the output ({@code <path>.stats.json})
 */
public record OutputSpec(String path, String format, String mode, String statsPath) {
  public static final String[] FORMATS = {"parquet", "json", "table"};

  public OutputSpec {
    format = format.toLowerCase(Locale.ROOT);
    if (!Arrays.asList(FORMATS).contains(format)) {
      throw new IllegalArgumentException("output-format '" + format + "' is not one of " + String.join(", ", FORMATS));
    }
    saveMode(mode);
    if (format.equals("table") && statsPath == null) {
      throw new IllegalArgumentException("output-format table needs --stats PATH for the statistics file");
    }
  }

  static SaveMode saveMode(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "error", "errorifexists" -> SaveMode.ErrorIfExists;
      case "overwrite" -> SaveMode.Overwrite;
      case "append" -> SaveMode.Append;
      case "ignore" -> SaveMode.Ignore;
      default -> throw new IllegalArgumentException("mode '" + mode + "' is not one of error, overwrite, append, ignore");
    };
  }

  public void write(Dataset<Row> rows) {
    var writer = rows.write().mode(saveMode(mode));
    if (format.equals("table")) writer.saveAsTable(path);
    else writer.format(format).save(path);
  }

  /** The written rows, read with the job's schema (JSON drops null fields, so it is not inferred). */
  public Dataset<Row> readBack(SparkSession spark, org.apache.spark.sql.types.StructType schema) {
    return format.equals("table") ? spark.table(path) : spark.read().schema(schema).format(format).load(path);
  }

  public String resolvedStatsPath() {
    return statsPath != null ? statsPath : path.replaceAll("/+$", "") + ".stats.json";
  }
}
