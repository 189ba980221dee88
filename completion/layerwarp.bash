# bash completion for layerwarp(1): commands, each command's options, scene
# files for SCENE, and section.key names for --set.  Installed by `make
# install` as share/bash-completion/completions/layerwarp.

# The scene keys, section.key, as src/scene.c's key table lists them
# (tests/cli_manpages.sh checks that none is missing).
_layerwarp_keys="dataset.kind dataset.points dataset.noise dataset.seed dataset.classes
dataset.turns dataset.factor dataset.file dataset.draw dataset.columns network.widths
network.activation network.model network.latent network.prior network.latent_path
network.latent_arith train.optimizer train.learning_rate train.steps train.batch train.l2
train.momentum train.target_accuracy train.seed train.readable train.beta train.checkpoints
render.width render.height render.fps render.stage_seconds render.hold_start
render.hold_between render.hold_end render.easing render.interpolation render.wide_view
render.units render.reflection render.grid_lines render.grid_samples render.grid_adaptive
render.region render.view render.view_box render.margin render.zoom_seconds render.readout
render.training render.training_layer render.show_gradients render.show_grid render.show_domain render.show_points render.show_boundary
render.show_captions render.show_shade render.shade render.show_progress render.show_numbers
render.show_legend render.depth_cues render.networks render.output render.crf render.preset
render.projection render.yaw render.pitch render.orbit render.activation_steps
render.worked_point style.background style.grid_color style.domain_color
style.boundary_color style.text_color style.arrow_color style.colors style.point_radius style.grid_width
style.domain_width style.curve_width style.boundary_width style.caption_size
style.min_text_size style.font"

# Options of one command, as `layerwarp help COMMAND` lists them (with
# manim's -ql ... -qk, words of their own for --quality).
_layerwarp_options()
{
    local common="--set -q --quiet -h --help"
    local frame="--fps --size --quality -ql -qm -qh -qp -qk -t --transparent"
    case $1 in
        render) echo "-o --output -s --last --format --piece --frames --at -j --jobs --crf --preset --no-cache $frame $common" ;;
        frames) echo "--frames --at -o --output -j --jobs --no-cache $frame $common" ;;
        step) echo "-l --layer -o --output -j --jobs --no-cache $frame $common" ;;
        hash) echo "--frames --at --algo -j --jobs --no-cache $frame $common" ;;
        train) echo "-o --output --no-cache $common" ;;
        dump) echo "-l --layer -s --stage -o --output --no-cache $common" ;;
        info) echo "--no-cache $frame $common" ;;
        scene) echo "$common" ;;
        join) echo "-o --output -q --quiet -h --help" ;;
        sweep) echo "-o --output --format --index --montage $common" ;;
        montage) echo "-o --output --grid --row --col -q --quiet -h --help" ;;
    esac
}

# The values of a --set key (compare.* stripped) that takes one of a few
# words, as src/scene.c's name tables and docs/scene-format.md give them.
_layerwarp_values()
{
    local bool="true false yes no on off"
    case ${1#compare.} in
        dataset.kind) echo "moons circles spiral xor gaussians curves csv interval rings unlinked" ;;
        dataset.draw) echo "points curves" ;;
        network.activation) echo "tanh sigmoid relu leaky_relu softplus identity" ;;
        network.model) echo "classifier gan vae autoencoder" ;;
        network.prior) echo "gaussian uniform" ;;
        train.optimizer) echo "adam sgd" ;;
        train.checkpoints) echo "every log" ;;
        render.easing) echo "smoothstep linear smootherstep" ;;
        render.interpolation) echo "polar straight" ;;
        render.reflection) echo "auto turn swap" ;;
        render.wide_view) echo "pca tour units" ;;
        render.view) echo "auto follow fixed" ;;
        render.training) echo "off replay morph" ;;
        render.shade) echo "none class area" ;;
        render.projection) echo "orthographic perspective" ;;
        render.activation_steps) echo "none hadamard" ;;
        render.networks) echo "generator discriminator encoder decoder" ;;
        render.preset) echo "$_layerwarp_presets" ;;
        style.background) echo "transparent" ;;
        render.grid_adaptive | render.readout | render.show_* | render.depth_cues) echo "$bool" ;;
    esac
}

_layerwarp_presets="ultrafast superfast veryfast faster fast medium slow slower veryslow placebo
realtime good best"

_layerwarp()
{
    local cur prev words cword
    _init_completion || return
    local commands="render frames step hash train dump info scene join sweep montage help"

    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}
    if [[ $cmd == help ]]; then
        [[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "${commands% help}" -- "$cur"))
        return
    fi

    # --set KEY=<TAB>: '=' breaks words, so the key is two words back
    if [[ $prev == = && $cword -ge 3 && ${words[cword - 3]} == --set ]]; then
        local key=${words[cword - 2]}
        case ${key#compare.} in
            dataset.file | render.output) _filedir ;;
            *) COMPREPLY=($(compgen -W "$(_layerwarp_values "$key")" -- "$cur")) ;;
        esac
        return
    fi

    case $prev in
        -o | --output)
            case $cmd in
                frames) _filedir png ;; # a folder, or one frame's FILE.png
                step | sweep) _filedir -d ;;
                *) _filedir ;;
            esac
            return
            ;;
        -s | --stage)
            # render's -s is --last and takes nothing: complete as usual below
            if [[ $cmd == dump ]]; then
                COMPREPLY=($(compgen -W "input linear bias activation" -- "$cur"))
                return
            fi
            ;;
        --preset)
            COMPREPLY=($(compgen -W "$_layerwarp_presets" -- "$cur"))
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W "mp4 webm mkv gif mov png" -- "$cur"))
            return
            ;;
        --algo)
            COMPREPLY=($(compgen -W "xxh3 sha256" -- "$cur"))
            return
            ;;
        --quality)
            COMPREPLY=($(compgen -W "low medium high production 4k" -- "$cur"))
            return
            ;;
        --frames)
            COMPREPLY=($(compgen -W "last" -- "$cur"))
            return
            ;;
        --set)
            # a key, then its value: complete the key up to its '='
            local k keys=$_layerwarp_keys
            for k in $_layerwarp_keys; do
                case $k in dataset.* | network.* | train.* | render.networks) keys+=" compare.$k" ;; esac
            done
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "$keys" -S = -- "$cur"))
            return
            ;;
        -j | --jobs | --crf | --fps | --size | --at | -l | --layer | --piece | --index | --grid | \
            --row | --col)
            return
            ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_layerwarp_options "$cmd")" -- "$cur"))
        return
    fi
    # scene FILE: a video or PNG layerwarp rendered; join's pieces and montage's videos;
    # else SCENE: scene files and folders
    case $cmd in
        scene) _filedir '@(mp4|webm|mkv|mov|png)' ;;
        join | montage) _filedir '@(mp4|webm|mkv)' ;;
        *) _filedir scene ;;
    esac
}
complete -F _layerwarp layerwarp
