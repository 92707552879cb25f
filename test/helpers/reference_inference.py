"""The request and answer handling of the reference model's inference.py, line for line, around a stand-in classifier.

The reference model (the course lab's RoBERTa sentiment classifier, served by SageMaker's PyTorch container) reads the
whole request body as one string, splits it on "\n" and parses EVERY piece with json.loads, then joins the answer
lines with "\n". Only the tokenizer and the network are replaced here: the stand-in scores a review by its words.
Reads the request body on stdin, writes the answer body on stdout; an exception exits non-zero, as the container's
handler would answer 500 (SageMaker turns that into a 424 ModelError).
"""
import json
import sys

classes = [-1, 0, 1]


def model(review_body):
    """Stand-in for RoBERTa: a label index and a probability."""
    text = review_body.lower()
    if "unhappy" in text or "bad" in text:
        return 0, 0.634
    if "enjoy" in text or "love" in text:
        return 2, 0.97
    return 1, 0.55


def input_fn(serialized_input_data, content_type="application/jsonlines"):
    return serialized_input_data


def predict_fn(input_data, model):
    data_str = input_data.decode("utf-8")
    jsonlines = data_str.split("\n")

    predicted_classes = []

    for jsonline in jsonlines:
        review_body = json.loads(jsonline)["features"][0]
        label_index, probability = model(review_body)
        prediction_dict = {}
        prediction_dict["probability"] = probability
        prediction_dict["predicted_label"] = classes[label_index]
        jsonline = json.dumps(prediction_dict)
        predicted_classes.append(jsonline)

    predicted_classes_jsonlines = "\n".join(predicted_classes)
    return predicted_classes_jsonlines


def output_fn(prediction_output, accept="application/jsonlines"):
    return prediction_output, accept


if __name__ == "__main__":
    body = sys.stdin.buffer.read()
    answer, _ = output_fn(predict_fn(input_fn(body), model))
    sys.stdout.write(answer)
