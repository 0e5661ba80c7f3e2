package io.sightline.crossmodal;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.detect.Box;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.store.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link ImageCollection} on disk: every image's object features and contrastive embedding,
 * with the fingerprint of the model that computed the embeddings, in one checksummed file; from
 * {@value ImageCollection#HNSW_FROM} images on, the first stage's HNSW index beside it
 * ({@code FILE.hnsw}). Written with a temporary file and an atomic rename (by
 * {@link ChecksummedFile}).
 */
final class CollectionFile {
  static final String KIND = "crossmodal-collection";
  static final int FORMAT = 1;
  private static final int MAX_ITEMS = 50_000_000;

  private CollectionFile() {}

  static Path indexFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".hnsw");
  }

  static void write(Path file, ImageCollection c, String modelFingerprint, String embedderId) {
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT, embedderId), out -> {
      out.writeUTF(modelFingerprint);
      out.writeInt(c.size());
      List<Path> images = c.images();
      for (int i = 0; i < images.size(); i++) {
        Path p = images.get(i);
        ImageFeatures f = c.features(p);
        writeString(out, p.toString());
        out.writeInt(f.width());
        out.writeInt(f.height());
        out.writeInt(f.size());
        for (int o = 0; o < f.size(); o++) {
          ImageObject obj = f.objects().get(o);
          out.writeDouble(obj.box().x());
          out.writeDouble(obj.box().y());
          out.writeDouble(obj.box().w());
          out.writeDouble(obj.box().h());
          out.writeBoolean(obj.label() != null);
          if (obj.label() != null) {
            writeString(out, obj.label());
          }
          out.writeByte(obj.source().ordinal());
          writeFloats(out, f.visual()[o]);
          writeFloats(out, f.spatial()[o]);
        }
        writeFloats(out, c.embedding(i));
      }
    });
    Path idx = indexFile(file);
    if (c.index() != null) {
      c.index().save(idx);
    } else {
      try {
        Files.deleteIfExists(idx);
      } catch (IOException e) {
        throw new io.sightline.core.StoreException("cannot remove the stale " + idx + ": " + e.getMessage(), e);
      }
    }
  }

  static ImageCollection read(Path file, String modelFingerprint, String embedderId) {
    record Loaded(Map<Path, ImageFeatures> features, float[][] embeddings) {}
    Loaded l = ChecksummedFile.read(file, KIND, FORMAT, (h, in) -> {
      if (!h.embedderId().equals(embedderId)) {
        throw new IncompatibleFormatException(file + ": collection was made with embedder '" + h.embedderId()
            + "', the model uses '" + embedderId + "'");
      }
      String fp = in.readUTF();
      if (!fp.equals(modelFingerprint)) {
        throw new IncompatibleFormatException(file + ": collection was made with another model (or before it"
            + " was trained again); make the collection again with this model");
      }
      int n = in.readInt();
      if (n < 0 || n > MAX_ITEMS) {
        throw new IOException("bad image count " + n);
      }
      Map<Path, ImageFeatures> features = new LinkedHashMap<>();
      float[][] emb = new float[n][];
      RegionSource[] sources = RegionSource.values();
      for (int i = 0; i < n; i++) {
        Path p = Path.of(readString(in));
        int w = in.readInt();
        int ht = in.readInt();
        int objects = in.readInt();
        if (objects < 1 || objects > 10_000) {
          throw new IOException("bad object count " + objects);
        }
        List<ImageObject> objs = new ArrayList<>(objects);
        float[][] visual = new float[objects][];
        float[][] spatial = new float[objects][];
        for (int o = 0; o < objects; o++) {
          Box box = new Box(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
          String label = in.readBoolean() ? readString(in) : null;
          int s = in.readUnsignedByte();
          if (s >= sources.length) {
            throw new IOException("bad region source " + s);
          }
          objs.add(new ImageObject(box, label, sources[s]));
          visual[o] = readFloats(in);
          spatial[o] = readFloats(in);
        }
        features.put(p, new ImageFeatures(objs, visual, spatial, w, ht));
        emb[i] = readFloats(in);
      }
      return new Loaded(features, emb);
    });
    HnswVectorIndex<String> index = null;
    Path idx = indexFile(file);
    if (l.embeddings().length >= ImageCollection.HNSW_FROM && Files.isRegularFile(idx)) {
      HnswVectorIndex<String> loaded = HnswVectorIndex.load(idx, String.class, embedderId);
      if (loaded.size() == l.embeddings().length
          && loaded.contains(l.features().keySet().iterator().next().toString())) {
        index = loaded;
      }
    }
    return new ImageCollection(l.features(), l.embeddings(), embedderId, index);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 20)) {
      throw new IOException("bad string length " + n);
    }
    return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float x : v) {
      out.writeFloat(x);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1_000_000) {
      throw new IOException("bad vector length " + n);
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }
}
