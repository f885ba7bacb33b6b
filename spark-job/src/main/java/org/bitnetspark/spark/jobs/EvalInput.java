package org.bitnetspark.spark.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The evaluate job's task rows, from any Spark source or from llama.cpp's HellaSwag text layout, read
 * into one canonical layout ({@link #SCHEMA}): a row with {@code choices} is a multiple-choice task,
 * a row with {@code references} (and no choices) a generation task.
 *
 * <p>Column mapping: our field names are {@code id, task, context, choices, gold, prompt, references};
 * {@code columns} maps any of them to the source's column (a nested field such as {@code choices.text}
 * works), so lm-evaluation-harness's datasets are read as they are, e.g.
 * {@code context=ctx,choices=endings,gold=label} for HellaSwag. Choices and references may be arrays
 * or JSON-array strings (CSV); gold may be a number, a digit string or a letter (A = 0), checked per row.
 *
 * @param format parquet, json, csv, table or hellaswag (6 lines per task: context, gold index, 4 endings)
 * @param taskName the task of rows without a task column; by default the input's file name up to its first dot
 */
public record EvalInput(String path, String format, Map<String, String> columns, String taskName)
    implements JobInput {

  public static final String[] FORMATS = {"parquet", "json", "csv", "table", "hellaswag"};
  public static final List<String> FIELDS = List.of("id", "task", "context", "choices", "gold", "prompt", "references");
  private static final ArrayType STRINGS = DataTypes.createArrayType(DataTypes.StringType);
  /** The layout the evaluate partition function takes; gold stays text until it is checked per row. */
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType)
      .add("task", DataTypes.StringType)
      .add("context", DataTypes.StringType)
      .add("choices", STRINGS)
      .add("gold", DataTypes.StringType)
      .add("prompt", DataTypes.StringType)
      .add("references", STRINGS)
      .add("input_error", DataTypes.StringType); // a row the reader could not make whole

  public EvalInput {
    format = format.toLowerCase(Locale.ROOT);
    if (!Arrays.asList(FORMATS).contains(format)) {
      throw new IllegalArgumentException("input-format '" + format + "' is not one of " + String.join(", ", FORMATS));
    }
    columns = Map.copyOf(columns);
    for (String field : columns.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("--columns names '" + field + "', which is not one of " + FIELDS);
      }
    }
    if (taskName == null || taskName.isBlank()) taskName = defaultTaskName(path);
  }

  /** Parses {@code field=column,field=column}. */
  public static Map<String, String> parseColumns(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) return out;
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException("--columns entry '" + pair + "' is not field=column (e.g. context=ctx)");
      }
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  static String defaultTaskName(String path) {
    String name = path.replaceAll("/+$", "");
    name = name.substring(name.lastIndexOf('/') + 1);
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  @Override
  public Dataset<Row> read(SparkSession spark) {
    if (format.equals("hellaswag")) return readHellaswag(spark);
    Dataset<Row> raw = switch (format) {
      case "table" -> spark.table(path);
      case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(path);
      default -> spark.read().format(format).load(path);
    };
    return canonical(raw, columns, taskName, "input " + path);
  }

  /**
   * The canonical layout from any Dataset. At least one task kind's columns must exist: context and
   * choices, or prompt and references; a missing id column numbers the rows by position.
   */
  public static Dataset<Row> canonical(Dataset<Row> raw, Map<String, String> columns, String taskName, String source) {
    Map<String, Column> picked = new LinkedHashMap<>();
    for (String field : FIELDS) {
      String name = columns.getOrDefault(field, field);
      DataType type = typeOf(raw, name);
      if (type == null && columns.containsKey(field)) {
        throw new IllegalArgumentException(source + " has no column '" + name + "' (--columns " + field + "=" + name
            + "); its columns are " + Arrays.toString(raw.columns()));
      }
      picked.put(field, type == null ? null : convert(functions.col(name), type, field));
    }
    boolean mc = picked.get("context") != null && picked.get("choices") != null;
    boolean gen = picked.get("prompt") != null && picked.get("references") != null;
    if (!mc && !gen) {
      throw new IllegalArgumentException(source + " has neither multiple-choice columns (context, choices[, gold]) nor "
          + "generation columns (prompt, references); its columns are " + Arrays.toString(raw.columns())
          + "; map yours with --columns, e.g. context=ctx,choices=endings,gold=label");
    }
    Dataset<Row> withId = picked.get("id") != null ? raw : InputSpec.withPositionIds(raw.sparkSession(), raw);
    if (picked.get("id") == null) picked.put("id", functions.col("__row_position"));
    if (picked.get("task") == null) picked.put("task", functions.lit(taskName));
    List<Column> select = new ArrayList<>();
    for (var field : SCHEMA.fields()) {
      Column c = picked.get(field.name());
      select.add((c == null ? functions.lit(null) : c).cast(field.dataType()).as(field.name()));
    }
    return withId.select(select.toArray(new Column[0]));
  }

  private static DataType typeOf(Dataset<Row> df, String column) {
    try {
      return df.select(functions.col(column)).schema().fields()[0].dataType();
    } catch (Exception e) { // Scala's AnalysisException is checked in Java's eyes but not declared
      if (e instanceof org.apache.spark.sql.AnalysisException) return null;
      throw e;
    }
  }

  /** Arrays stay arrays; a string column of choices or references is read as a JSON array. */
  private static Column convert(Column c, DataType type, String field) {
    boolean list = field.equals("choices") || field.equals("references");
    if (list && type instanceof org.apache.spark.sql.types.StringType) return functions.from_json(c, STRINGS);
    return c;
  }

  /**
   * llama.cpp's HellaSwag text layout: per task, a context line, a gold-index line and four ending
   * lines. Each file is parsed whole; a trailing incomplete task becomes a row with an error.
   */
  private Dataset<Row> readHellaswag(SparkSession spark) {
    String task = taskName;
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).wholeTextFiles(path)
        .flatMap(file -> hellaswagRows(file._2(), task).iterator());
    return spark.createDataFrame(rows, SCHEMA);
  }

  static List<Row> hellaswagRows(String text, String task) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n", -1)));
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
    List<Row> out = new ArrayList<>();
    for (int start = 0, n = 0; start < lines.size(); start += 6, n++) {
      String id = task + "-" + n;
      if (start + 6 > lines.size()) {
        out.add(RowFactory.create(id, task, lines.get(start), null, null, null, null, "incomplete task: "
            + (lines.size() - start) + " of 6 lines (context, gold, 4 endings) at the end of the file"));
        break;
      }
      List<String> endings = lines.subList(start + 2, start + 6);
      out.add(RowFactory.create(id, task, lines.get(start), CollectionConverters.asScala(endings).toList(),
          lines.get(start + 1).trim(), null, null, null));
    }
    return out;
  }
}
