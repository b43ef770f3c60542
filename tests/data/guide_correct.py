# The correct examples of TensorFlow's model-mapping guide ("Use TF1.x models in TF2 workflows").
# tf2lint must report nothing here.
import tensorflow as tf
import tensorflow.compat.v1 as v1


class DenseLayer(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = inputs
        with tf.compat.v1.variable_scope("dense"):
            kernel = tf.compat.v1.get_variable(
                shape=[out.shape[-1], self.units],
                regularizer=tf.keras.regularizers.L2(),
                initializer=tf.compat.v1.initializers.glorot_normal,
                name="kernel")
            bias = tf.compat.v1.get_variable(
                shape=[self.units,],
                initializer=tf.compat.v1.initializers.zeros,
                name="bias")
            out = tf.linalg.matmul(out, kernel)
            out = tf.compat.v1.nn.bias_add(out, bias)
        return out


class CompatV1LayerModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope('model'):
            out = tf.compat.v1.layers.conv2d(
                inputs, 3, 3,
                kernel_regularizer="l2")
            out = tf.compat.v1.layers.flatten(out)
            out = tf.compat.v1.layers.dense(
                out, self.units,
                kernel_regularizer="l2")
            return out


class CompatV1BatchNorm(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        print("Forward pass called with `training` =", training)
        with v1.variable_scope('batch_norm_layer'):
            return v1.layers.batch_normalization(inputs, training=training)


class NestedModel(tf.keras.Model):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    def build_model(self):
        inp = tf.keras.Input(shape=(5, 5))
        dense_layer = tf.keras.layers.Dense(
            10, name="dense", kernel_regularizer="l2",
            kernel_initializer=tf.compat.v1.ones_initializer())
        model = tf.keras.Model(inputs=inp, outputs=dense_layer(inp))
        return model

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        model = tf.compat.v1.keras.utils.get_or_create_layer(
            "dense_model", self.build_model)
        return model(inputs)


class NestedLayer(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def __call__(self, inputs):
        out = inputs
        with tf.compat.v1.variable_scope("inner_dense"):
            kernel = tf.compat.v1.get_variable(
                shape=[out.shape[-1], self.units],
                regularizer=tf.keras.regularizers.L2(),
                initializer=tf.compat.v1.initializers.glorot_normal,
                name="kernel")
            bias = tf.compat.v1.get_variable(
                shape=[self.units,],
                initializer=tf.compat.v1.initializers.zeros,
                name="bias")
            out = tf.linalg.matmul(out, kernel)
            out = tf.compat.v1.nn.bias_add(out, bias)
        return out


class WrappedDenseLayer(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self._dense_layer = NestedLayer(self.units)

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope('outer'):
            outputs = tf.compat.v1.layers.dense(inputs, 3)
            outputs = tf.compat.v1.layers.dense(inputs, 4)
            return self._dense_layer(outputs)


class CompatV1TemplateScaleByY(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

        def my_op(x, scalar_name):
            var1 = tf.compat.v1.get_variable(scalar_name,
                                             shape=[],
                                             regularizer=tf.compat.v1.keras.regularizers.L2(),
                                             initializer=tf.compat.v1.constant_initializer(1.5))
            return x * var1
        self.scale_by_y = tf.compat.v1.make_template('scale_by_y', my_op, scalar_name='y')

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope('layer'):
            return self.scale_by_y(inputs)


class CompatModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = tf.compat.v1.layers.conv2d(
                inputs, 3, 3,
                kernel_regularizer="l2")
            out = tf.compat.v1.layers.flatten(out)
            out = tf.compat.v1.layers.dropout(out, training=training)
            out = tf.compat.v1.layers.dense(
                out, self.units,
                kernel_regularizer="l2")
            return out


class PartiallyMigratedModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.conv_layer = tf.keras.layers.Conv2D(
            3, 3,
            kernel_regularizer="l2")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = self.conv_layer(inputs)
            out = tf.compat.v1.layers.flatten(out)
            out = tf.compat.v1.layers.dropout(out, training=training)
            out = tf.compat.v1.layers.dense(
                out, self.units,
                kernel_regularizer="l2")
            return out


class NearlyFullyNativeModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.conv_layer = tf.keras.layers.Conv2D(3, 3, kernel_regularizer="l2")
        self.flatten_layer = tf.keras.layers.Flatten()
        self.dense_layer = tf.keras.layers.Dense(self.units, kernel_regularizer="l2")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope('model'):
            out = self.conv_layer(inputs)
            out = self.flatten_layer(out)
            out = self.dense_layer(out)
            return out


class FunctionalStyleCompatModel(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = tf.compat.v1.layers.conv2d(inputs, 3, 3, kernel_regularizer="l2")
            out = tf.compat.v1.layers.conv2d(out, 4, 4, kernel_regularizer="l2")
            out = tf.compat.v1.layers.conv2d(out, 5, 5, kernel_regularizer="l2")
            return out


class OOStyleCompatModel(tf.keras.layers.Layer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conv_1 = tf.compat.v1.layers.Conv2D(
            3, 3,
            kernel_regularizer="l2")
        self.conv_2 = tf.compat.v1.layers.Conv2D(
            4, 4,
            kernel_regularizer="l2")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = self.conv_1(inputs)
            out = self.conv_2(out)
            out = tf.compat.v1.layers.conv2d(
                out, 5, 5,
                kernel_regularizer="l2")
            return out


def record_scope(scope_name):
    """Record a variable_scope to make sure future ones get incremented."""
    with tf.compat.v1.variable_scope(scope_name):
        pass


class PartiallyNativeKerasLayersModel(tf.keras.layers.Layer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conv_1 = tf.keras.layers.Conv2D(
            3, 3,
            kernel_regularizer="l2")
        self.conv_2 = tf.keras.layers.Conv2D(
            4, 4,
            kernel_regularizer="l2")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = self.conv_1(inputs)
            record_scope('conv2d')
            out = self.conv_2(out)
            record_scope('conv2d_1')
            out = tf.compat.v1.layers.conv2d(
                out, 5, 5,
                kernel_regularizer="l2")
            return out


class WrappedDoubleDenseLayer(tf.keras.layers.Layer):
    # From the shim's API documentation.
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope("double_dense_layer"):
            out = tf.compat.v1.layers.dense(
                inputs, self.units, name="dense_one",
                kernel_initializer=tf.compat.v1.random_normal_initializer,
                kernel_regularizer="l2")
            out = tf.compat.v1.layers.dense(
                out, self.units, name="dense_two",
                kernel_initializer=tf.compat.v1.random_normal_initializer(),
                kernel_regularizer="l2")
        return out


class FullyNativeModel(tf.keras.layers.Layer):
    # The guide's last step of "Incremental migration to Native TF2": no shim left.
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.conv_layer = tf.keras.layers.Conv2D(
            3, 3,
            kernel_regularizer="l2")
        self.flatten_layer = tf.keras.layers.Flatten()
        self.dense_layer = tf.keras.layers.Dense(
            self.units,
            kernel_regularizer="l2")

    def call(self, inputs):
        out = self.conv_layer(inputs)
        out = self.flatten_layer(out)
        out = self.dense_layer(out)
        return out


class FullyNativeKerasLayersModel(tf.keras.layers.Layer):
    # The last step of "Maintaining checkpoint compatibility": native layers, the scope left behind.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conv_1 = tf.keras.layers.Conv2D(
            3, 3,
            kernel_regularizer="l2")
        self.conv_2 = tf.keras.layers.Conv2D(
            4, 4,
            kernel_regularizer="l2")
        self.conv_3 = tf.keras.layers.Conv2D(
            5, 5,
            kernel_regularizer="l2")

    def call(self, inputs, training=None):
        with tf.compat.v1.variable_scope('model'):
            out = self.conv_1(inputs)
            out = self.conv_2(out)
            out = self.conv_3(out)
            return out
