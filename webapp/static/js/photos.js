// Photos on record and study-note forms: shrink in the browser (longest side ≤ 1600 px), hash with
// SHA-256, upload once by hash, and add a hidden input naming the photo. With no signal the photo is
// handed to the offline outbox (window.ZhibuOutbox.keepPhoto) and uploaded when signal returns.
(function () {
  "use strict";
  var MAX_EDGE = 1600;
  var QUALITY = 0.85;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function loadImage(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return viaElement(file); });
    }
    return viaElement(file);
  }

  function viaElement(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("无法读取这张图片")); };
      img.src = url;
    });
  }

  function shrink(file) {
    return loadImage(file).then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, MAX_EDGE / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(new Error("图片压缩失败")); }, "image/jpeg", QUALITY);
      });
    });
  }

  function sha256Hex(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      return crypto.subtle.digest("SHA-256", buffer);
    }).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  function upload(blob, sha) {
    var body = new FormData();
    body.append("photo", blob, sha + ".jpg");
    body.append("sha256", sha);
    return fetch("/records/photos", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error((json.error && json.error.message) || "照片上传失败");
          error.server = true;
          throw error;
        }
        return json;
      });
    });
  }

  function addPreview(input, sha, src) {
    var list = input.closest("fieldset").querySelector("[data-photo-list]");
    var field = input.getAttribute("data-photo-field") || "photos";
    if (input.hasAttribute("data-photo-single")) list.innerHTML = "";
    if (list.querySelector('input[value="' + sha + '"]')) return;
    var figure = document.createElement("figure");
    figure.className = "photo-item";
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = field; hidden.value = sha;
    var img = document.createElement("img");
    img.src = src; img.alt = "已添加的照片"; img.width = 96; img.height = 96;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "btn btn-small"; remove.textContent = "移除";
    remove.setAttribute("aria-label", "移除这张照片");
    remove.addEventListener("click", function () { figure.remove(); });
    figure.appendChild(hidden); figure.appendChild(img); figure.appendChild(remove);
    list.appendChild(figure);
  }

  function handle(input, file, status) {
    return shrink(file).then(function (blob) {
      return sha256Hex(blob).then(function (sha) {
        return upload(blob, sha).then(function (json) {
          addPreview(input, sha, json.thumb_url);
        }, function (error) {
          if (!error.server && window.ZhibuOutbox && window.ZhibuOutbox.keepPhoto) {
            return window.ZhibuOutbox.keepPhoto(sha, blob).then(function () {
              addPreview(input, sha, URL.createObjectURL(blob));
              status.textContent = "照片已保存在手机上，有信号后自动上传";
            });
          }
          throw error;
        });
      });
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-photo-input]")) return;
    var status = input.closest("fieldset").querySelector("[data-photo-status]");
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) return;
    status.textContent = "正在处理 " + files.length + " 张照片…";
    var chain = Promise.resolve();
    var failed = 0;
    files.forEach(function (file) {
      chain = chain.then(function () {
        return handle(input, file, status).catch(function (error) {
          failed += 1;
          status.textContent = error.message || "照片处理失败";
        });
      });
    });
    chain.then(function () {
      if (!failed && !/手机上/.test(status.textContent)) status.textContent = "照片已添加";
      input.value = "";
    });
  });

  // Duration shown as the times are typed (the server derives it again on save).
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form) return;
    var start = form.querySelector("[data-duration-start]");
    var end = form.querySelector("[data-duration-end]");
    var output = form.querySelector("[data-duration-output]");
    if (!start || !end || !output || !start.value || !end.value) return;
    var minutes = (Date.parse("1970-01-01T" + end.value) - Date.parse("1970-01-01T" + start.value)) / 60000;
    output.textContent = minutes > 0 ? "时长 " + minutes + " 分钟" : "结束时间应晚于开始时间";
  });
})();
