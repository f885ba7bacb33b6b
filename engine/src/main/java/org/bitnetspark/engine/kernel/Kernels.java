package org.bitnetspark.engine.kernel;

import java.util.Locale;
import org.bitnetspark.engine.tensor.TernaryMatrix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernels once per JVM: the Vector API versions when the {@code jdk.incubator.vector}
 * module is in the boot layer (the JVM was started with {@code --add-modules
 * jdk.incubator.vector}), the scalar ones otherwise. {@code -Dbitnet.kernel=auto|vector|scalar}
 * overrides the choice; the choice is logged once.
 *
 * <p>{@code -Dbitnet.kernel.boundsChecks=false} asks the JDK, before any Vector API class is touched, to
 * skip its per-access bounds checks on vector loads and stores ({@code
 * jdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0}); each vector kernel checks its whole index range once
 * per call either way. Off, the batch-1 ternary kernel alone ran 2x faster (C2 does not hoist the checks
 * out of its loops), but whole decode steps were no faster and batched steps 25% slower on the 700M shape
 * (same-hour A/B), so the JDK's checks stay on by default. A value the user gave the JDK property itself is
 * left alone.
 *
 * <p>{@code -Dbitnet.kernel.lookup=on} (off by default) repacks ternary matrices at load into a layout a
 * lookup-table kernel reads: 64-row blocks for {@link VectorLutKernel} where a 512-bit byte permute is one
 * instruction (AVX-512 VBMI), 16-row blocks for {@link VectorLut128Kernel} (128-bit shuffles, any AVX2 CPU)
 * elsewhere. Where a lookup kernel is on, the JDK's per-access bounds checks are off unless {@code
 * -Dbitnet.kernel.boundsChecks=true}: they check every shuffle's indices, which cost the 128-bit kernel
 * more than it gains. Measured trade-offs: engine/PERFORMANCE.md.
 *
 * <p>{@code -Dbitnet.kernel.batchLookup=off} (on by default) sends batches back to the multiply kernel
 * instead of {@link VectorBatchLookupKernel}: for A/B measurements only, the results are the same bit for bit.
 */
public final class Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  public static final String PROPERTY = "bitnet.kernel";
  public static final String BOUNDS_CHECKS_PROPERTY = "bitnet.kernel.boundsChecks";
  public static final String LOOKUP_PROPERTY = "bitnet.kernel.lookup";
  /** {@code on} (default) or {@code off}: batches by {@link VectorBatchLookupKernel}, for A/B measurements. */
  public static final String BATCH_LOOKUP_PROPERTY = "bitnet.kernel.batchLookup";
  private static final String JDK_OOB_CHECK_PROPERTY = "jdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK";
  /** Set before {@link #VECTOR_AVAILABLE} probes the Vector API: the JDK reads it once, at class init. */
  private static final boolean JDK_CHECKS_SKIPPED = skipJdkBoundsChecks();

  /** Which implementation family to use. */
  public enum Choice {
    AUTO, VECTOR, SCALAR;

    public static Choice parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("kernel '" + s + "' is not one of auto, vector, scalar");
      }
    }
  }

  private static final boolean VECTOR_AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && VectorSupport.has256BitVectors();
  private static final Kernels DEFAULT = create(Choice.parse(System.getProperty(PROPERTY, "auto")));

  private final TernaryKernel ternary;
  private final FloatDot floatDot;
  private final HalfDecoder halfDecoder;
  private final Q8BlockDot q8Dot;
  private final ExpKernel expKernel;
  /** The layout ternary matrices are repacked into where they fit; ROW_GROUPS: none. */
  private final TernaryMatrix.Layout repackLayout;

  private static boolean skipJdkBoundsChecks() {
    String byDefault = lookupWanted() ? "false" : "true";
    if ("false".equalsIgnoreCase(System.getProperty(BOUNDS_CHECKS_PROPERTY, byDefault))
        && System.getProperty(JDK_OOB_CHECK_PROPERTY) == null) {
      System.setProperty(JDK_OOB_CHECK_PROPERTY, "0");
    }
    return "0".equals(System.getProperty(JDK_OOB_CHECK_PROPERTY));
  }

  private Kernels(TernaryKernel ternary, FloatDot floatDot, HalfDecoder halfDecoder, Q8BlockDot q8Dot,
      ExpKernel expKernel, TernaryMatrix.Layout repackLayout) {
    this.ternary = ternary;
    this.floatDot = floatDot;
    this.halfDecoder = halfDecoder;
    this.q8Dot = q8Dot;
    this.expKernel = expKernel;
    this.repackLayout = repackLayout;
  }

  /**
   * Whether the vector kernels should read row blocks by table lookup ({@link #LOOKUP_PROPERTY}, off by
   * default). Reads only the property, so that the bounds-check choice can depend on it before any Vector
   * API class is touched.
   */
  private static boolean lookupWanted() {
    return onOff(LOOKUP_PROPERTY, false);
  }

  /** A switch property: on/true or off/false; anything else fails, naming the property. */
  static boolean onOff(String property, boolean byDefault) {
    String v = System.getProperty(property, byDefault ? "on" : "off").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw new IllegalArgumentException("-D" + property + "=" + v + " is not one of on, off");
    };
  }

  /** The row-block layout of the lookup kernel that suits this CPU, or ROW_GROUPS where none is wanted. */
  private static TernaryMatrix.Layout lookupLayout() {
    if (!lookupWanted()) return TernaryMatrix.Layout.ROW_GROUPS;
    return VectorSupport.hasFast512BitBytePermute() ? TernaryMatrix.Layout.ROW_BLOCKS_64
        : TernaryMatrix.Layout.ROW_BLOCKS_16;
  }

  /**
   * {@code m} in the layout this choice's ternary kernel reads fastest: row blocks for the lookup kernel
   * where it is on and the shape fits ({@link TernaryMatrix#fitsRowBlocks}), else as it is.
   */
  public TernaryMatrix repack(TernaryMatrix m) {
    return repackLayout.rowBlocks() && m.fitsRowBlocks(repackLayout) ? m.toRowBlocks(repackLayout) : m;
  }

  /** The JVM-wide choice. */
  public static Kernels get() {
    return DEFAULT;
  }

  public static boolean vectorAvailable() {
    return VECTOR_AVAILABLE;
  }

  /** A specific choice (benchmarks and tests compare them); VECTOR fails if the module is absent. */
  public static Kernels create(Choice choice) {
    boolean vector = switch (choice) {
      case SCALAR -> false;
      case VECTOR -> {
        if (!VECTOR_AVAILABLE) {
          throw new IllegalStateException("-D" + PROPERTY + "=vector but the JVM lacks the jdk.incubator.vector "
              + "module (start java with --add-modules jdk.incubator.vector) or the CPU lacks 256-bit vectors");
        }
        yield true;
      }
      case AUTO -> VECTOR_AVAILABLE;
    };
    Kernels k = vector ? vectorKernels(lookupLayout()) : new Kernels(new ScalarTernaryKernel(), FloatDot.SCALAR,
        HalfDecoder.SCALAR, Q8BlockDot.SCALAR, ExpKernel.SCALAR, TernaryMatrix.Layout.ROW_GROUPS);
    if (choice == Choice.AUTO) {
      LOG.info("kernels: {}{}", k.name(), !vector ? " (the Vector API kernels need --add-modules "
          + "jdk.incubator.vector and a CPU with 256-bit vectors)"
          : JDK_CHECKS_SKIPPED ? " (bounds checked once per call, not per vector access)"
              : " (with the JDK's per-access bounds checks)");
    }
    return k;
  }

  /** Loaded by name so that no Vector API class is touched when the module is absent. */
  private static Kernels vectorKernels(TernaryMatrix.Layout repackLayout) {
    try {
      TernaryKernel t = (TernaryKernel) Class.forName("org.bitnetspark.engine.kernel.VectorTernaryKernel")
          .getDeclaredConstructor().newInstance();
      FloatDot d = (FloatDot) Class.forName("org.bitnetspark.engine.kernel.VectorFloatDot")
          .getDeclaredConstructor().newInstance();
      HalfDecoder h = (HalfDecoder) Class.forName("org.bitnetspark.engine.kernel.VectorHalfDecoder")
          .getDeclaredConstructor().newInstance();
      Q8BlockDot q = (Q8BlockDot) Class.forName("org.bitnetspark.engine.kernel.VectorQ8BlockDot")
          .getDeclaredConstructor().newInstance();
      ExpKernel g = (ExpKernel) Class.forName("org.bitnetspark.engine.kernel.VectorExpKernel")
          .getDeclaredConstructor().newInstance();
      return new Kernels(t, d, h, q, g, repackLayout);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the Vector API kernels", e);
    }
  }

  public TernaryKernel ternary() {
    return ternary;
  }

  public FloatDot floatDot() {
    return floatDot;
  }

  public HalfDecoder halfDecoder() {
    return halfDecoder;
  }

  public Q8BlockDot q8Dot() {
    return q8Dot;
  }

  public ExpKernel expKernel() {
    return expKernel;
  }

  /** The ternary kernel's name, and the lookup kernel's where matrices are repacked for it. */
  public String name() {
    return ternary.name() + switch (repackLayout) {
      case ROW_BLOCKS_64 -> "+lookup-512";
      case ROW_BLOCKS_16 -> "+lookup-128";
      case ROW_GROUPS -> "";
    };
  }
}
