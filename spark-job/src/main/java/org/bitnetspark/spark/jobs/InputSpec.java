package org.bitnetspark.spark.jobs;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Where the rows come from: any Spark source (parquet, json lines, csv with a header, text, a table)
 * and which columns hold the id, the text and the optional per-row options. Reads them as
 * {@code (id string, text string[, options])}, the shape the partition functions take.
 *
 * @param path file or directory (for {@code table}: the table name)
 * @param format parquet, json, csv, text or table
 * @param idColumn the id column; if the input has no such column (plain text files), rows get their
 *     0-based position in the input as id, which is stable for the same input files
 * @param textColumn the text (prompt or document) column; {@code value} for text files
 * @param optionsColumn per-row generation options, or null
 */
public record InputSpec(String path, String format, String idColumn, String textColumn, String optionsColumn)
    implements JobInput {

  public static final String[] FORMATS = {"parquet", "json", "csv", "text", "table"};

  public InputSpec {
    format = format.toLowerCase(Locale.ROOT);
    if (!Arrays.asList(FORMATS).contains(format)) {
      throw new IllegalArgumentException("input-format '" + format + "' is not one of " + String.join(", ", FORMATS));
    }
  }

  @Override
  public Dataset<Row> read(SparkSession spark) {
    Dataset<Row> raw = switch (format) {
      case "table" -> spark.table(path);
      case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(path);
      case "text" -> spark.read().text(path);
      default -> spark.read().format(format).load(path);
    };
    String text = format.equals("text") && !has(raw, textColumn) ? "value" : textColumn;
    return select(spark, raw, idColumn, text, optionsColumn, "input " + path);
  }

  /**
   * The columns the partition functions take, {@code (id, text[, options])}, from any Dataset; a
   * missing text or options column is an error that lists the columns there are.
   */
  public static Dataset<Row> select(SparkSession spark, Dataset<Row> raw, String idColumn, String textColumn,
      String optionsColumn, String source) {
    require(raw, textColumn, "text-col", source);
    if (optionsColumn != null) require(raw, optionsColumn, "options-col", source);
    boolean hasId = has(raw, idColumn);
    Dataset<Row> withId = hasId ? raw : withPositionIds(spark, raw);
    Column id = functions.col(hasId ? idColumn : "__row_position").cast(DataTypes.StringType).as("id");
    Column text = functions.col(textColumn).cast(DataTypes.StringType).as("text");
    return optionsColumn == null ? withId.select(id, text) : withId.select(id, text, optionsColumn(withId, optionsColumn));
  }

  private static Column optionsColumn(Dataset<Row> df, String optionsColumn) {
    var type = df.schema().apply(optionsColumn).dataType();
    // a map column stays a map; anything else is read as its string form (JSON)
    return type instanceof org.apache.spark.sql.types.MapType ? functions.col(optionsColumn).as("options")
        : functions.col(optionsColumn).cast(DataTypes.StringType).as("options");
  }

  private static boolean has(Dataset<Row> df, String column) {
    return Arrays.asList(df.columns()).contains(column);
  }

  private static void require(Dataset<Row> df, String column, String option, String source) {
    if (!has(df, column)) {
      throw new IllegalArgumentException(source + " has no column '" + column + "' (--" + option
          + "); its columns are " + Arrays.toString(df.columns()));
    }
  }

  /** Adds the row's position in the input as {@code __row_position}. */
  static Dataset<Row> withPositionIds(SparkSession spark, Dataset<Row> raw) {
    StructType schema = raw.schema().add("__row_position", DataTypes.LongType, false);
    JavaRDD<Row> rows = raw.javaRDD().zipWithIndex().map((Tuple2<Row, Long> t) -> {
      Object[] values = new Object[t._1().size() + 1];
      for (int i = 0; i < t._1().size(); i++) values[i] = t._1().get(i);
      values[values.length - 1] = t._2();
      return RowFactory.create(values);
    });
    return spark.createDataFrame(rows, schema);
  }
}
