// The worksheet's intention split: a live bar of the four parts and their total, which
// must come to 100. The server checks the same rule; this only shows it while typing.
(function () {
  "use strict";
  var box = document.querySelector(".intention");
  if (!box) { return; }
  var keys = ["educate", "inform", "inspire", "entertain"];
  var total = box.querySelector(".intention-total");
  function value(key) {
    var number = parseInt(document.getElementById(key).value, 10);
    return isNaN(number) || number < 0 ? 0 : number;
  }
  function update() {
    var sum = keys.reduce(function (all, key) { return all + value(key); }, 0);
    keys.forEach(function (key) {
      var part = box.querySelector(".intention-bar ." + key);
      part.style.width = (sum ? Math.min(100, value(key) * 100 / Math.max(sum, 100)) : 0) + "%";
    });
    total.textContent = total.getAttribute("data-template").replace("{total}", sum);
    total.classList.toggle("off", sum !== 100 && sum !== 0);
  }
  keys.forEach(function (key) {
    document.getElementById(key).addEventListener("input", update);
  });
  update();
}());
