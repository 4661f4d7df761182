package io.sluice.gateway.monitor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model version's reference: what its training data looked like, column by column, as {@code
 * reference_profile.json} stores it (format {@value #FORMAT}). Built offline by {@code sluice
 * profile} or {@code scripts/sluice_profile.py}, or online from the first live rows when a version
 * ships none ({@link #source} {@code "live"}).
 *
 * @param format always {@value #FORMAT}
 * @param dataset the data it was built from: name, rows and lineage
 * @param columns one entry per feature and per output column, inputs first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReferenceProfile(
    @JsonProperty("format") String format,
    @JsonProperty("dataset") Dataset dataset,
    @JsonProperty("columns") List<Column> columns) {

  public static final String FORMAT = "sluice.reference_profile/1";
  /** At most this many raw values per numeric column are kept (exact KS and Wasserstein). */
  public static final int SAMPLE_LIMIT = 10_000;
  /** Categorical columns keep this many most frequent categories; the rest count as OTHER. */
  public static final int TOP_K = 50;
  /** A numeric column with at most this many distinct values keeps one count per value. */
  public static final int DISCRETE_LIMIT = 20;

  public ReferenceProfile {
    Objects.requireNonNull(dataset, "dataset");
    columns = List.copyOf(columns);
  }

  /** The column named {@code name}, if the profile has one. */
  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * Where the reference came from, printed in every drift report.
   *
   * @param name the data set's name (a file name, a table)
   * @param rows rows the profile was built from
   * @param version a lineage revision given by the user (a DVC or lakeFS revision), may be null
   * @param source {@code "profile"} for a built profile, {@code "live"} for the first live rows
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Dataset(
      @JsonProperty("name") String name,
      @JsonProperty("rows") long rows,
      @JsonProperty("version") String version,
      @JsonProperty("source") String source) {}

  /** A column is numeric (values on a line) or categorical (names). */
  public enum Kind {
    @JsonProperty("numeric")
    NUMERIC,
    @JsonProperty("categorical")
    CATEGORICAL
  }

  /** Which side of the model a column is on. */
  public enum Role {
    @JsonProperty("input")
    INPUT,
    @JsonProperty("output")
    OUTPUT
  }

  /**
   * One column's reference. Numeric columns carry the summary, the fine (percentile) and coarse
   * (decile) bins and a sample; categorical columns (and numeric ones with at most {@value
   * #DISCRETE_LIMIT} distinct values) carry {@code categories}.
   *
   * @param name the feature's name
   * @param role input or output
   * @param tensor the tensor it is a column of
   * @param index its position among that tensor's columns
   * @param kind numeric or categorical
   * @param count rows with a value (finite for numeric)
   * @param missing rows without one (NaN, ±inf, an empty cell or string)
   * @param distinct distinct values among {@code count}
   * @param min smallest value (numeric)
   * @param max largest value (numeric)
   * @param mean mean (numeric)
   * @param std population standard deviation, ddof 0 (numeric)
   * @param edges percentile edges 1..99, deduplicated; bins are right-closed (numeric)
   * @param binCounts rows per fine bin, {@code edges.length + 1} of them (numeric)
   * @param binSums sum of the values in each fine bin (numeric)
   * @param decileEdges percentile edges 10..90, deduplicated (numeric)
   * @param decileCounts rows per decile bin (numeric)
   * @param sample up to {@value #SAMPLE_LIMIT} raw values, sorted (numeric)
   * @param categories the top categories and their counts, most frequent first
   * @param other rows in categories beyond the top ones
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Column(
      @JsonProperty("name") String name,
      @JsonProperty("role") Role role,
      @JsonProperty("tensor") String tensor,
      @JsonProperty("index") int index,
      @JsonProperty("kind") Kind kind,
      @JsonProperty("count") long count,
      @JsonProperty("missing") long missing,
      @JsonProperty("distinct") long distinct,
      @JsonProperty("min") Double min,
      @JsonProperty("max") Double max,
      @JsonProperty("mean") Double mean,
      @JsonProperty("std") Double std,
      @JsonProperty("edges") double[] edges,
      @JsonProperty("bin_counts") long[] binCounts,
      @JsonProperty("bin_sums") double[] binSums,
      @JsonProperty("decile_edges") double[] decileEdges,
      @JsonProperty("decile_counts") long[] decileCounts,
      @JsonProperty("sample") double[] sample,
      @JsonProperty("categories") List<Category> categories,
      @JsonProperty("other") Long other) {

    /** True when the column is compared category by category (chi-square, JS over values). */
    @JsonIgnore
    public boolean hasCategories() {
      return categories != null;
    }
  }

  /**
   * One reference category.
   *
   * @param value the category's text; a numeric value printed as Java prints a double
   * @param count reference rows with it
   */
  public record Category(@JsonProperty("value") String value, @JsonProperty("count") long count) {}
}
