package org.bitnetspark.engine.kernel;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernels once per JVM: the Vector API versions when the {@code jdk.incubator.vector}
 * module is in the boot layer (the JVM was started with {@code --add-modules
 * jdk.incubator.vector}), the scalar ones otherwise. {@code -Dbitnet.kernel=auto|vector|scalar}
 * overrides the choice; the choice is logged once.
 */
public final class Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  public static final String PROPERTY = "bitnet.kernel";

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

  private Kernels(TernaryKernel ternary, FloatDot floatDot, HalfDecoder halfDecoder) {
    this.ternary = ternary;
    this.floatDot = floatDot;
    this.halfDecoder = halfDecoder;
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
    Kernels k = vector ? vectorKernels() : new Kernels(new ScalarTernaryKernel(), FloatDot.SCALAR, HalfDecoder.SCALAR);
    if (choice == Choice.AUTO) {
      LOG.info("kernels: {}{}", k.ternary.name(), vector ? "" : " (the Vector API kernels need --add-modules "
          + "jdk.incubator.vector and a CPU with 256-bit vectors)");
    }
    return k;
  }

  /** Loaded by name so that no Vector API class is touched when the module is absent. */
  private static Kernels vectorKernels() {
    try {
      TernaryKernel t = (TernaryKernel) Class.forName("org.bitnetspark.engine.kernel.VectorTernaryKernel")
          .getDeclaredConstructor().newInstance();
      FloatDot d = (FloatDot) Class.forName("org.bitnetspark.engine.kernel.VectorFloatDot")
          .getDeclaredConstructor().newInstance();
      HalfDecoder h = (HalfDecoder) Class.forName("org.bitnetspark.engine.kernel.VectorHalfDecoder")
          .getDeclaredConstructor().newInstance();
      return new Kernels(t, d, h);
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

  public String name() {
    return ternary.name();
  }
}
