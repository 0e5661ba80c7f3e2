package io.sightline.crossmodal;

import ai.djl.MalformedModelException;
import io.sightline.core.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The weights of a {@link CrossModalModel}: their serialised bytes (save, checkpoints, fine-tuning)
 * and their fingerprint (collection files). Every access holds the model's lock.
 */
final class ModelWeights {
  private ModelWeights() {}

  /**
   * SHA-256 over the weights' names and values: a collection's embeddings belong to exactly these
   * weights (the serialised form is not used: a loaded model serialises differently).
   */
  static String fingerprint(CrossModalModel model) {
    String f = model.fingerprint;
    if (f == null) {
      model.lock.lock();
      try {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        for (var e : model.block.getParameters()) {
          md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          float[] v = e.getValue().getArray().toFloatArray();
          java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4);
          b.asFloatBuffer().put(v);
          md.update(b.array());
        }
        f = java.util.HexFormat.of().formatHex(md.digest());
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      } finally {
        model.lock.unlock();
      }
      model.fingerprint = f;
    }
    return f;
  }

  static byte[] parameterBytes(CrossModalModel model) {
    model.lock.lock();
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      model.block.saveParameters(new DataOutputStream(bos));
      return bos.toByteArray();
    } catch (IOException e) {
      throw new StoreException("cannot serialise model parameters: " + e.getMessage(), e);
    } finally {
      model.lock.unlock();
    }
  }

  static void loadParameterBytes(CrossModalModel model, byte[] bytes) {
    model.fingerprint = null;
    model.storedCandidates = null;
    model.lock.lock();
    try {
      model.block.loadParameters(model.model.getNDManager(), new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | MalformedModelException e) {
      throw new StoreException("cannot load model parameters: " + e.getMessage(), e);
    } finally {
      model.lock.unlock();
    }
  }
}
