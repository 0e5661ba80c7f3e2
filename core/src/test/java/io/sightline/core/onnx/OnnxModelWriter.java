package io.sightline.core.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The generator of Sightline's test models: writes small ONNX models by hand-encoding the ONNX
 * protobuf ({@code onnx.proto}: ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto)
 * with nothing but the JDK, so the repository needs neither Python nor a downloaded model.
 *
 * <p>Use it as a library ({@link #tinyEmbedder}, {@link #tinyClassifier}, {@link #constantYolo},
 * {@link #constantSsd}, or the fluent graph API) or from the command line after
 * {@code mvn -pl core test-compile}:
 *
 * <pre>
 * java -cp core/target/test-classes io.sightline.core.onnx.OnnxModelWriter embedder /tmp/tiny-embedder.onnx
 * java -cp core/target/test-classes io.sightline.core.onnx.OnnxModelWriter classifier /tmp/tiny-classifier.onnx
 * </pre>
 *
 * <p>Wire format: every field is a tag {@code (field << 3) | wireType} followed by a varint
 * (wire type 0), a 4-byte little-endian value (5) or a length-prefixed payload (2: strings,
 * bytes, embedded messages). Field numbers are those of {@code onnx/onnx.proto}.
 */
public final class OnnxModelWriter {
  /** TensorProto.DataType FLOAT. */
  public static final int FLOAT = 1;
  /** TensorProto.DataType INT64. */
  public static final int INT64 = 7;

  /** Weights of {@link #tinyEmbedder}: embedding = mean(R,G,B) · W + B, W is 3x4. */
  public static final float[][] EMBED_W = {
      {1.0f, -2.0f, 0.5f, 0.0f},
      {0.0f, 1.5f, -1.0f, 2.0f},
      {3.0f, 0.25f, 0.0f, -0.5f}};
  /** Bias of {@link #tinyEmbedder}. */
  public static final float[] EMBED_B = {0.1f, -0.2f, 0.3f, 0.05f};

  /** Weights of {@link #tinyClassifier}: logits = mean(R,G,B) · W^T + C, W is 3 classes x 3. */
  public static final float[][] CLASS_W = {
      {4.0f, -2.0f, -2.0f},
      {-2.0f, 4.0f, -2.0f},
      {-2.0f, -2.0f, 4.0f}};
  /** Bias of {@link #tinyClassifier}. */
  public static final float[] CLASS_B = {0.2f, 0.0f, -0.1f};

  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();
  private final int opset;
  private int nodeCount;

  private OnnxModelWriter(int opset) {
    this.opset = opset;
  }

  /**
   * @param opset default-domain operator set version (13 is what the ready-made models use)
   * @return an empty graph
   */
  public static OnnxModelWriter create(int opset) {
    return new OnnxModelWriter(opset);
  }

  /**
   * Declares a graph input.
   *
   * @param name tensor name
   * @param elemType {@link #FLOAT} or {@link #INT64}
   * @param dims each a Number (fixed size) or a String (symbolic, e.g. "N")
   * @return this
   */
  public OnnxModelWriter input(String name, int elemType, Object... dims) {
    inputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /**
   * Declares a graph output.
   *
   * @param name tensor name
   * @param elemType {@link #FLOAT} or {@link #INT64}
   * @param dims each a Number or a String
   * @return this
   */
  public OnnxModelWriter output(String name, int elemType, Object... dims) {
    outputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /**
   * Adds a float constant (initializer), stored as raw little-endian data.
   *
   * @param name tensor name
   * @param dims shape
   * @param values row-major values
   * @return this
   */
  public OnnxModelWriter initializer(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    initializers.add(tensor(name, dims, FLOAT, raw.array()));
    return this;
  }

  /**
   * Adds an int64 constant (initializer).
   *
   * @param name tensor name
   * @param dims shape
   * @param values row-major values
   * @return this
   */
  public OnnxModelWriter initializerInt64(String name, long[] dims, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    initializers.add(tensor(name, dims, INT64, raw.array()));
    return this;
  }

  /**
   * Adds an operator node.
   *
   * @param opType ONNX operator, e.g. "MatMul"
   * @param in input tensor names
   * @param out output tensor names
   * @param attributes attributes made with {@link #intAttr}, {@link #intsAttr}, {@link #floatAttr}
   * @return this
   */
  public OnnxModelWriter node(String opType, String[] in, String[] out, byte[]... attributes) {
    Proto p = new Proto();
    for (String s : in) {
      p.string(1, s);
    }
    for (String s : out) {
      p.string(2, s);
    }
    p.string(3, opType.toLowerCase() + "_" + (nodeCount++));
    p.string(4, opType);
    for (byte[] a : attributes) {
      p.message(5, a);
    }
    nodes.add(p.bytes());
    return this;
  }

  /**
   * @param name attribute name
   * @param value int64 value
   * @return an AttributeProto of type INT
   */
  public static byte[] intAttr(String name, long value) {
    Proto p = new Proto();
    p.string(1, name);
    p.varint(3, value);
    p.varint(20, 2);
    return p.bytes();
  }

  /**
   * @param name attribute name
   * @param value float value
   * @return an AttributeProto of type FLOAT
   */
  public static byte[] floatAttr(String name, float value) {
    Proto p = new Proto();
    p.string(1, name);
    p.fixed32(2, Float.floatToIntBits(value));
    p.varint(20, 1);
    return p.bytes();
  }

  /**
   * @param name attribute name
   * @param values int64 values
   * @return an AttributeProto of type INTS
   */
  public static byte[] intsAttr(String name, long... values) {
    Proto p = new Proto();
    p.string(1, name);
    for (long v : values) {
      p.varint(8, v);
    }
    p.varint(20, 7);
    return p.bytes();
  }

  /** @return the encoded ModelProto */
  public byte[] toBytes() {
    Proto graph = new Proto();
    for (byte[] n : nodes) {
      graph.message(1, n);
    }
    graph.string(2, "sightline_test_graph");
    for (byte[] t : initializers) {
      graph.message(5, t);
    }
    for (byte[] v : inputs) {
      graph.message(11, v);
    }
    for (byte[] v : outputs) {
      graph.message(12, v);
    }
    Proto opsetId = new Proto();
    opsetId.string(1, "");
    opsetId.varint(2, opset);
    Proto model = new Proto();
    model.varint(1, 7); // ir_version 7 (ONNX 1.8+), read by every current ONNX Runtime
    model.string(2, "sightline-onnx-model-writer");
    model.string(3, "1");
    model.message(7, graph.bytes());
    model.message(8, opsetId.bytes());
    return model.bytes();
  }

  /**
   * @param path where to write the model
   * @return {@code path}
   * @throws IOException on write failure
   */
  public Path write(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(path, toBytes());
    return path;
  }

  private static byte[] valueInfo(String name, int elemType, Object... dims) {
    Proto shape = new Proto();
    for (Object d : dims) {
      Proto dim = new Proto();
      if (d instanceof Number n) {
        dim.varint(1, n.longValue());
      } else {
        dim.string(2, d.toString());
      }
      shape.message(1, dim.bytes());
    }
    Proto tensorType = new Proto();
    tensorType.varint(1, elemType);
    tensorType.message(2, shape.bytes());
    Proto type = new Proto();
    type.message(1, tensorType.bytes());
    Proto info = new Proto();
    info.string(1, name);
    info.message(2, type.bytes());
    return info.bytes();
  }

  private static byte[] tensor(String name, long[] dims, int dataType, byte[] raw) {
    Proto p = new Proto();
    for (long d : dims) {
      p.varint(1, d);
    }
    p.varint(2, dataType);
    p.string(8, name);
    p.bytes(9, raw);
    return p.bytes();
  }

  // ---------------------------------------------------------------- ready-made models

  /**
   * A 4-d embedder: input {@code pixels [N,3,8,8]} (CHW) or {@code [N,8,8,3]} (HWC) →
   * GlobalAveragePool → Flatten → MatMul {@link #EMBED_W} → Add {@link #EMBED_B} → output
   * {@code embedding [N,4]}; a second output {@code pooled [N,3]} holds the channel means.
   *
   * @param hwc whether the input is channels-last (a Transpose to CHW is inserted)
   * @return the model bytes
   */
  public static byte[] tinyEmbedder(boolean hwc) {
    OnnxModelWriter w = create(13);
    String x = "pixels";
    if (hwc) {
      w.input("pixels", FLOAT, "N", 8, 8, 3);
      w.node("Transpose", new String[] {"pixels"}, new String[] {"chw"}, intsAttr("perm", 0, 3, 1, 2));
      x = "chw";
    } else {
      w.input("pixels", FLOAT, "N", 3, 8, 8);
    }
    w.initializer("W", new long[] {3, 4}, flatten(EMBED_W));
    w.initializer("B", new long[] {4}, EMBED_B);
    w.node("GlobalAveragePool", new String[] {x}, new String[] {"gap"});
    w.node("Flatten", new String[] {"gap"}, new String[] {"pooled"}, intAttr("axis", 1));
    w.node("MatMul", new String[] {"pooled", "W"}, new String[] {"mm"});
    w.node("Add", new String[] {"mm", "B"}, new String[] {"embedding"});
    w.output("embedding", FLOAT, "N", 4);
    w.output("pooled", FLOAT, "N", 3);
    return w.toBytes();
  }

  /**
   * A 3-class classifier: input {@code pixels [N,3,8,8]} → GlobalAveragePool → Flatten → Gemm
   * ({@link #CLASS_W} transposed, {@link #CLASS_B}) → output {@code logits [N,3]}, plus
   * {@code probs [N,3]} = Softmax(logits).
   *
   * @return the model bytes
   */
  public static byte[] tinyClassifier() {
    OnnxModelWriter w = create(13);
    w.input("pixels", FLOAT, "N", 3, 8, 8);
    w.initializer("W", new long[] {3, 3}, flatten(CLASS_W));
    w.initializer("C", new long[] {3}, CLASS_B);
    w.node("GlobalAveragePool", new String[] {"pixels"}, new String[] {"gap"});
    w.node("Flatten", new String[] {"gap"}, new String[] {"pooled"}, intAttr("axis", 1));
    w.node("Gemm", new String[] {"pooled", "W", "C"}, new String[] {"logits"}, intAttr("transB", 1));
    w.node("Softmax", new String[] {"logits"}, new String[] {"probs"}, intAttr("axis", 1));
    w.output("logits", FLOAT, "N", 3);
    w.output("probs", FLOAT, "N", 3);
    return w.toBytes();
  }

  /**
   * A "detector" whose single output {@code output} is a fixed tensor: {@code rows + 0 *
   * mean(input)}, so decoding, thresholds, NMS and coordinate mapping can be checked against known
   * boxes while the graph still consumes its input.
   *
   * @param size square input side ({@code images [1,3,size,size]})
   * @param shape output shape, e.g. {@code {1, N, 5 + C}} (YOLOv5) or {@code {1, 4 + C, N}} (YOLOv8)
   * @param values row-major output values
   * @return the model bytes
   */
  public static byte[] constantYolo(int size, long[] shape, float[] values) {
    OnnxModelWriter w = create(13);
    w.input("images", FLOAT, 1, 3, size, size);
    w.initializer("rows", shape, values);
    w.initializer("zero", new long[] {}, new float[] {0f});
    w.node("ReduceMean", new String[] {"images"}, new String[] {"m"}, intAttr("keepdims", 0));
    w.node("Mul", new String[] {"m", "zero"}, new String[] {"z"});
    w.node("Add", new String[] {"rows", "z"}, new String[] {"output"});
    Object[] dims = new Object[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i];
    }
    w.output("output", FLOAT, dims);
    return w.toBytes();
  }

  /**
   * An SSD-style post-NMS "detector" with three fixed outputs derived from its input:
   * {@code boxes [1,K,4]} (float), {@code scores [1,K]} (float), {@code labels [1,K]} (int64).
   *
   * @param size square input side
   * @param boxes K x 4 values, row-major
   * @param scores K values
   * @param labels K class indices
   * @return the model bytes
   */
  public static byte[] constantSsd(int size, float[] boxes, float[] scores, long[] labels) {
    int k = scores.length;
    float[] labelsF = new float[k];
    for (int i = 0; i < k; i++) {
      labelsF[i] = labels[i];
    }
    OnnxModelWriter w = create(13);
    w.input("images", FLOAT, 1, 3, size, size);
    w.initializer("b", new long[] {1, k, 4}, boxes);
    w.initializer("s", new long[] {1, k}, scores);
    w.initializer("l", new long[] {1, k}, labelsF);
    w.initializer("zero", new long[] {}, new float[] {0f});
    w.node("ReduceMean", new String[] {"images"}, new String[] {"m"}, intAttr("keepdims", 0));
    w.node("Mul", new String[] {"m", "zero"}, new String[] {"z"});
    w.node("Add", new String[] {"b", "z"}, new String[] {"boxes"});
    w.node("Add", new String[] {"s", "z"}, new String[] {"scores"});
    w.node("Add", new String[] {"l", "z"}, new String[] {"lf"});
    w.node("Cast", new String[] {"lf"}, new String[] {"labels"}, intAttr("to", INT64));
    w.output("boxes", FLOAT, 1, k, 4);
    w.output("scores", FLOAT, 1, k);
    w.output("labels", INT64, 1, k);
    return w.toBytes();
  }

  private static float[] flatten(float[][] m) {
    float[] out = new float[m.length * m[0].length];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
    }
    return out;
  }

  /**
   * Writes a ready-made model.
   *
   * @param args {@code embedder|embedder-hwc|classifier FILE}
   * @throws IOException on write failure
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: OnnxModelWriter embedder|embedder-hwc|classifier FILE");
      System.exit(2);
    }
    byte[] model = switch (args[0]) {
      case "embedder" -> tinyEmbedder(false);
      case "embedder-hwc" -> tinyEmbedder(true);
      case "classifier" -> tinyClassifier();
      default -> {
        System.err.println("unknown model: " + args[0]);
        System.exit(2);
        yield null;
      }
    };
    Path out = Path.of(args[1]);
    Files.write(out, model);
    System.err.println("wrote " + out.toAbsolutePath() + " (" + model.length + " bytes)");
  }

  /** Minimal protobuf encoder. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void tag(int field, int wireType) {
      rawVarint(((long) field << 3) | wireType);
    }

    void rawVarint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    void varint(int field, long v) {
      tag(field, 0);
      rawVarint(v);
    }

    void fixed32(int field, int bits) {
      tag(field, 5);
      out.write(bits & 255);
      out.write((bits >>> 8) & 255);
      out.write((bits >>> 16) & 255);
      out.write((bits >>> 24) & 255);
    }

    void bytes(int field, byte[] b) {
      tag(field, 2);
      rawVarint(b.length);
      out.write(b, 0, b.length);
    }

    void string(int field, String s) {
      bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    void message(int field, byte[] m) {
      bytes(field, m);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
