from utils import softmax_cross_entropy, add_momentum, data_loader_mnist, predict_label, DataSplit
import sys
import os
import argparse
import numpy as np
import json

# A multi-layer perceptron for the MNIST digits, written module by module in numpy.
#
# Fill in every part between a `# TODO:` banner and the `# NOTE: DO NOT MODIFY CODE BELOW THIS`
# banner after it; leave everything else (and utils.py) as it is. Until you fill a part, it raises
# NotImplementedError naming its function and class. Submit neural_networks.py and utils.py.


# 1. The linear (affine, fully-connected) module

class linear_layer:

    """
        The linear (affine/fully-connected) module.

        Arguments:
        - input_D: the dimensionality of the input example/instance of the forward pass
        - output_D: the dimensionality of the output example/instance of the forward pass

        Learnable parameters:
        - self.params['W']: the W matrix (numpy array) of shape input_D-by-output_D
        - self.params['b']: the b vector (numpy array) of shape 1-by-output_D

        The backward pass records the partial derivatives of the loss in:
        - self.gradient['W']: input_D-by-output_D numpy array
        - self.gradient['b']: 1-by-output_D numpy array
    """

    def __init__(self, input_D, output_D):

        self.params = dict()
        self.gradient = dict()

        ###############################################################################################
        # TODO: Use np.random.normal() with mean 0 and standard deviation 0.1 to initialize
        # self.params['W'] (shape input_D-by-output_D) and self.params['b'] (shape 1-by-output_D)
        ###############################################################################################
        self.params['W'] = np.random.normal(0, 0.1, (input_D, output_D))
        self.params['b'] = np.random.normal(0, 0.1, (1, output_D))
        ###############################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ###############################################################################################

        ###############################################################################################
        # TODO: Initialize self.gradient['W'] and self.gradient['b'] with zeros
        # (each of the same shape as the parameter it belongs to)
        ###############################################################################################
        self.gradient['W'] = np.zeros((input_D, output_D))
        self.gradient['b'] = np.zeros((1, output_D))
        ###############################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ###############################################################################################

    def forward(self, X):

        """
            The forward pass of the linear (affine/fully-connected) module.

            Input:
            - X: A N-by-input_D numpy array, where each 'row' is an input example/instance (i.e., X[i], where
                 i = 1,...,N). The mini-batch size is N.

            Return:
            - forward_output: A N-by-output_D numpy array, where row i is X[i] self.params['W'] + self.params['b'].
        """

        ################################################################################
        # TODO: Implement the linear forward pass. Store the result in forward_output  #
        ################################################################################
        forward_output = X @ self.params['W'] + self.params['b']
        ################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ################################################################################
        return forward_output

    def backward(self, X, grad):

        """
            The backward pass of the linear (affine/fully-connected) module.

            Input:
            - X: A N-by-input_D numpy array, the input to the forward pass.
            - grad: A N-by-output_D numpy array, where row i is the partial derivatives of the mini-batch
                 loss w.r.t. forward_output[i].

            Operation:
            - Compute the partial derivatives of the mini-batch loss w.r.t. self.params['W'] and
              self.params['b'], and store them in self.gradient['W'] and self.gradient['b'].

            Return:
            - backward_output: A N-by-input_D numpy array, where row i is the partial derivatives of the
                 mini-batch loss w.r.t. X[i].
        """

        #################################################################################################
        # TODO: Implement the backward pass (i.e., compute the following three terms)
        # self.gradient['W'] = ? (input_D-by-output_D numpy array, the gradient of the mini-batch loss w.r.t. self.params['W'])
        # self.gradient['b'] = ? (1-by-output_D numpy array, the gradient of the mini-batch loss w.r.t. self.params['b'])
        # backward_output = ? (N-by-input_D numpy array, the gradient of the mini-batch loss w.r.t. X)
        # Only return backward_output, but compute self.gradient['W'] and self.gradient['b'] too.
        #################################################################################################
        N = X.shape[0]
        self.gradient['W'] = X.T @ grad
        self.gradient['b'] = np.ones(1, N) @ grad
        backward_output = grad @ self.params['W'].T
        #################################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        #################################################################################################
        return backward_output


# 2. ReLU activation

class relu:

    """
        The relu (rectified linear unit) module.

        It has no arguments and no parameters to learn. self.mask is yours: keep in it what the
        forward pass computes and the backward pass needs.
    """

    def __init__(self):
        self.mask = None

    def forward(self, X):

        """
            Input:
            - X: A numpy array of arbitrary shape.

            Return:
            - forward_output: A numpy array of the same shape as X, max(0, X) element-wise.
        """

        ################################################################################
        # TODO: Implement the relu forward pass. Store the result in forward_output    #
        ################################################################################
        self.mask = (X > 0).astype(float)
        forward_output = X * self.mask
        ################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ################################################################################
        return forward_output

    def backward(self, X, grad):

        """
            Input:
            - X: A numpy array of arbitrary shape, the input to the forward pass.
            - grad: A numpy array of the same shape as X, where each element is the partial derivative of the
                 mini-batch loss w.r.t. the corresponding element in forward_output.

            Return:
            - backward_output: A numpy array of the same shape as X, where each element is the partial
                 derivative of the mini-batch loss w.r.t. the corresponding element in X.
        """

        ####################################################################################################
        # TODO: Implement the backward pass
        # You can use the mask created in the forward step.
        ####################################################################################################
        backward_output = grad * (X > 0)
        ####################################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ####################################################################################################
        return backward_output


# 3. tanh activation

class tanh:

    def forward(self, X):

        """
            Input:
            - X: A numpy array of arbitrary shape.

            Return:
            - forward_output: A numpy array of the same shape as X, tanh(X) element-wise.
        """

        ################################################################################
        # TODO: Implement the tanh forward pass. Store the result in forward_output
        # You can use np.tanh()
        ################################################################################
        forward_output = np.tanh(X)
        ################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ################################################################################
        return forward_output

    def backward(self, X, grad):

        """
            Input:
            - X: A numpy array of arbitrary shape, the input to the forward pass.
            - grad: A numpy array of the same shape as X, where each element is the partial derivative of the
                 mini-batch loss w.r.t. the corresponding element in forward_output.

            Return:
            - backward_output: A numpy array of the same shape as X, where each element is the partial
                 derivative of the mini-batch loss w.r.t. the corresponding element in X.
        """

        ####################################################################################################
        # TODO: Implement the backward pass
        # Derivative of tanh is (1 - tanh^2)
        ####################################################################################################
        backward_output = grad * (1.0 - np.tanh(X) ** 2)
        ####################################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ####################################################################################################
        return backward_output


# 4. Dropout

class dropout:

    """
        The dropout module, built with one argument:
        - r: the dropout rate

        It has no parameters to learn. self.mask keeps what the forward pass drew, for the backward pass.
    """

    def __init__(self, r):
        self.r = r
        self.mask = None

    def forward(self, X, is_train):

        """
            Input:
            - X: A numpy array of arbitrary shape.
            - is_train: A boolean value. If False, no dropout is performed.

            Operation:
            - Draw p uniformly from [0, 1) for every element of X; keep the element, scaled by 1 / (1 - r),
              where p >= r, and output 0 elsewhere.

            Return:
            - forward_output: A numpy array of the same shape as X (the output of dropout)
        """

        # Given: read it and understand it.
        if is_train:
            self.mask = (np.random.uniform(0.0, 1.0, X.shape) >= self.r).astype(float) * (1.0 / (1.0 - self.r))
        else:
            self.mask = np.ones(X.shape)
        forward_output = np.multiply(X, self.mask)
        return forward_output

    def backward(self, X, grad):

        """
            Input:
            - X: A numpy array of arbitrary shape, the input to the forward pass.
            - grad: A numpy array of the same shape as X, where each element is the partial derivative of the
                 mini-batch loss w.r.t. the corresponding element in forward_output.

            Return:
            - backward_output: A numpy array of the same shape as X, where each element is the partial
                 derivative of the mini-batch loss w.r.t. the corresponding element in X.
        """

        ####################################################################################################
        # TODO: Implement the backward pass
        # You can use the mask created in the forward step
        ####################################################################################################
        backward_output = grad * self.mask
        ####################################################################################################
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
        ####################################################################################################
        return backward_output


# 5. Mini-batch stochastic gradient descent

def miniBatchStochasticGradientDescent(model, momentum, _lambda, _alpha, _learning_rate):

    """
        Input:
        - model: a dictionary of modules; those with learnable parameters have .params and .gradient
        - momentum: the velocities from add_momentum() in utils.py (None when _alpha is 0): update it in place
        - _lambda: the weight decay (L2 regularization) constant
        - _alpha: the momentum (discount) factor; 0 means plain gradient descent
        - _learning_rate: the step size

        Return: the model, its parameters updated by one step
    """

    for module_name, module in model.items():

        # check if a module has learnable parameters
        if hasattr(module, 'params'):
            for key, _ in module.params.items():
                g = module.gradient[key] + _lambda * module.params[key]

                if _alpha <= 0.0:

                    ####################################################################################
                    # TODO: update the model parameter module.params[key] by a step of gradient descent.
                    # Note again that the gradient is stored in g already.
                    ####################################################################################
                    module.params[key] -= _learning_rate * g
                    ####################################################################################
                    # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
                    ####################################################################################

                else:

                    ###################################################################################################
                    # TODO: Update the model parameter module.params[key] by a step of gradient descent with momentum.
                    # Access the previous momentum by momentum[module_name + '_' + key], and then update it directly:
                    # v = _alpha * v - _learning_rate * g, then module.params[key] += v
                    ###################################################################################################
                    name = module_name + '_' + key
                    momentum[name] = _alpha * momentum[name] - _learning_rate * g
                    module.params[key] += momentum[name]
                    ###################################################################################################
                    # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
                    ###################################################################################################

    return model


def main(main_params, optimization_type="minibatch_sgd"):

    ### set the random seed ###
    np.random.seed(int(main_params['random_seed']))

    ### data processing ###
    Xtrain, Ytrain, Xval, Yval, _, _ = data_loader_mnist(dataset=main_params['input_file'])
    N_train, d = Xtrain.shape
    N_val, _ = Xval.shape

    trainSet = DataSplit(Xtrain, Ytrain)
    valSet = DataSplit(Xval, Yval)

    ### building/defining MLP ###
    """
    The network: input --> linear --> relu (or tanh) --> dropout --> linear --> softmax_cross_entropy loss
    the hidden layer size (num_L1) is 1000
    the output layer size (num_L2) is 10
    """
    model = dict()
    num_L1 = 1000
    num_L2 = 10

    # experimental setup
    num_epoch = int(main_params['num_epoch'])
    minibatch_size = int(main_params['minibatch_size'])

    # optimization setting: _alpha for momentum, _lambda for weight decay
    _learning_rate = float(main_params['learning_rate'])
    _step = 10
    _alpha = float(main_params['alpha'])
    _lambda = float(main_params['lambda'])
    _dropout_rate = float(main_params['dropout_rate'])
    _activation = main_params['activation']

    if _activation == 'relu':
        act = relu
    else:
        act = tanh

    # create objects (modules) from the module classes
    model['L1'] = linear_layer(input_D=d, output_D=num_L1)
    model['nonlinear1'] = act()
    model['drop1'] = dropout(r=_dropout_rate)
    model['L2'] = linear_layer(input_D=num_L1, output_D=num_L2)
    model['loss'] = softmax_cross_entropy()

    # Momentum
    if _alpha > 0.0:
        momentum = add_momentum(model)
    else:
        momentum = None

    train_acc_record = []
    val_acc_record = []

    train_loss_record = []
    val_loss_record = []

    ### run training and validation ###
    for t in range(num_epoch):
        print('At epoch ' + str(t + 1))
        if (t % _step == 0) and (t != 0):
            _learning_rate = _learning_rate * 0.1

        idx_order = np.random.permutation(N_train)

        train_acc = 0.0
        train_loss = 0.0
        train_count = 0

        val_acc = 0.0
        val_count = 0
        val_loss = 0.0

        for i in range(int(np.floor(N_train / minibatch_size))):

            # get a mini-batch of data
            x, y = trainSet.get_example(idx_order[i * minibatch_size: (i + 1) * minibatch_size])

            ### forward ###
            a1 = model['L1'].forward(x)
            h1 = model['nonlinear1'].forward(a1)
            d1 = model['drop1'].forward(h1, is_train=True)
            a2 = model['L2'].forward(d1)
            loss = model['loss'].forward(a2, y)

            ### backward ###
            grad_a2 = model['loss'].backward(a2, y)
            ######################################################################################
            # TODO: Call the backward methods of every layer in the model in reverse order
            # We have given the first and last backward calls
            # Do not modify them.
            ######################################################################################
            grad_d1 = model['L2'].backward(d1, grad_a2)
            grad_h1 = model['drop1'].backward(h1, grad_d1)
            grad_a1 = model['nonlinear1'].backward(a1, grad_h1)
            ######################################################################################
            # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
            ######################################################################################
            grad_x = model['L1'].backward(x, grad_a1)

            ### gradient_update ###
            model = miniBatchStochasticGradientDescent(model, momentum, _lambda, _alpha, _learning_rate)

        ### Computing training accuracy and obj ###
        for i in range(int(np.floor(N_train / minibatch_size))):

            x, y = trainSet.get_example(np.arange(i * minibatch_size, (i + 1) * minibatch_size))

            ######################################################################################
            # TODO: Call the forward methods of every layer in the model in order
            # Do not modify the code in the next line
            ######################################################################################
            a1 = model['L1'].forward(x)
            h1 = model['nonlinear1'].forward(a1)
            d1 = model['drop1'].forward(h1, is_train=False)
            a2 = model['L2'].forward(d1)
            ######################################################################################
            # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
            ######################################################################################
            loss = model['loss'].forward(a2, y)
            train_loss += loss
            train_acc += np.sum(predict_label(a2) == y)
            train_count += len(y)

        train_acc = train_acc / train_count
        train_acc_record.append(train_acc)
        train_loss_record.append(train_loss)

        print('Training loss at epoch ' + str(t + 1) + ' is ' + str(train_loss))
        print('Training accuracy at epoch ' + str(t + 1) + ' is ' + str(train_acc))

        ### Computing validation accuracy ###
        for i in range(int(np.floor(N_val / minibatch_size))):

            x, y = valSet.get_example(np.arange(i * minibatch_size, (i + 1) * minibatch_size))

            ######################################################################################
            # TODO: Call the forward methods of every layer in the model in order
            # Do not modify the code in the next line
            ######################################################################################
            a1 = model['L1'].forward(x)
            h1 = model['nonlinear1'].forward(a1)
            d1 = model['drop1'].forward(h1, is_train=False)
            a2 = model['L2'].forward(d1)
            ######################################################################################
            # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
            ######################################################################################
            loss = model['loss'].forward(a2, y)
            val_loss += loss
            val_acc += np.sum(predict_label(a2) == y)
            val_count += len(y)

        val_loss_record.append(val_loss)
        val_acc = val_acc / val_count
        val_acc_record.append(val_acc)

        print('Validation accuracy at epoch ' + str(t + 1) + ' is ' + str(val_acc))

    # save file
    file_name = ('MLP_lr' + str(main_params['learning_rate']) + '_m' + str(main_params['alpha']) +
                 '_w' + str(main_params['lambda']) + '_d' + str(main_params['dropout_rate']) +
                 '_a' + str(main_params['activation']) + '.json')
    with open(file_name, 'w') as f:
        json.dump({'train': train_acc_record, 'val': val_acc_record}, f)

    print('Finish running!')
    return train_loss_record, val_loss_record


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument('--random_seed', default=42)
    parser.add_argument('--learning_rate', default=0.01)
    parser.add_argument('--alpha', default=0.0)
    parser.add_argument('--lambda', default=0.0)
    parser.add_argument('--dropout_rate', default=0.5)
    parser.add_argument('--num_epoch', default=10)
    parser.add_argument('--minibatch_size', default=5)
    parser.add_argument('--activation', default='relu')
    parser.add_argument('--input_file', default='mnist_subset.json')
    args = parser.parse_args()
    main_params = vars(args)
    main(main_params)
