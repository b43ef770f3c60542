# Plain TF1 graph code in the styles of tensor2tensor, tf-slim and Estimator model_fns.
# It never uses the shim, so tf2lint must report nothing here.
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

shared = tf.make_template("shared", lambda x: tf.layers.dense(x, 3))


def block(x, scope=None, reuse=None):
    with tf.variable_scope(scope, default_name="block", reuse=reuse):
        x = tf.layers.conv2d(x, 8, 3)
        x = tf.layers.batch_normalization(x, training=True)
        return tf.layers.dense(x, 10)


def model_fn(features, labels, mode, params):
    logits = block(features["x"])
    logits = shared(logits) + shared(logits)
    w = tf.Variable(tf.zeros([3]))
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits) + tf.reduce_sum(w)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


class Tower(object):
    def __call__(self, x):
        with tf.variable_scope(None, default_name="tower"):
            return tf.keras.layers.Dense(3)(x)


@tf.function
def step(x):
    return tf.layers.dense(x, 3)


if __name__ == "__main__":
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
