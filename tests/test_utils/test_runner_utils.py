"""runner_utils: the model without its wrapper, and the optimizers by name,
whether a Runner holds one optimizer or LNTL's two."""
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from lnl_mm.utils import (named_optim_wrappers, named_optimizers,
                          runner_model, unwrap_model)


class FakeRunner:

    def __init__(self, model):
        self.model = model


def test_unwrap_model_removes_a_registered_wrapper_only():
    model = torch.nn.Linear(2, 2)
    wrapped = torch.nn.DataParallel(model)  # an MMEngine MODEL_WRAPPER
    assert unwrap_model(wrapped) is model
    assert unwrap_model(model) is model
    # a container with a .module attribute is not a wrapper
    holder = torch.nn.Module()
    holder.module = model
    assert unwrap_model(holder) is holder
    assert runner_model(FakeRunner(wrapped)) is model


def test_named_optimizers_of_one_wrapper_and_of_a_dict():
    params = [torch.nn.Parameter(torch.zeros(1))]
    main = torch.optim.SGD(params, lr=0.1)
    bias = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert named_optimizers(OptimWrapper(main)) == {'optimizer': main}
    both = OptimWrapperDict(main=OptimWrapper(main), bias=OptimWrapper(bias))
    assert named_optimizers(both) == {'main': main, 'bias': bias}
    assert named_optim_wrappers(both) == dict(both.items())
    single = OptimWrapper(main)
    assert named_optim_wrappers(single) == {'optimizer': single}
